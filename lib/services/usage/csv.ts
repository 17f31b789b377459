import type { UsageReport } from './report.js';

const FIGURES = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'audio_seconds',
  'characters',
  'cost_usd',
  'avg_latency_ms',
  'unpriced_requests',
  'images',
  'cache_write_tokens',
  'reasoning_tokens',
  'cache_hits',
  'cache_hit_rate',
  'cache_hit_tokens',
  'cost_saved_usd',
  'cancelled',
] as const;

/**
 * One CSV cell (RFC 4180). A text cell that a spreadsheet would read as a formula (starting with
 * `= + - @`, tab or CR; model ids such as `@cf/…` do) is prefixed with `'`.
 */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A usage report's series as CSV: a header, then one line per period (and group), CRLF ends. */
export function usageReportCsv(report: UsageReport): string {
  const columns = ['period', ...(report.group_by ? [report.group_by] : []), ...FIGURES];
  const lines = [columns.join(',')];
  for (const row of report.series) {
    const values = [row.period, ...(report.group_by ? [row.group] : []), ...FIGURES.map((f) => row[f])];
    lines.push(values.map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

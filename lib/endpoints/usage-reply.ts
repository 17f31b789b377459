import { Reply } from '../http/handler.js';
import { usageReportCsv } from '../services/usage/csv.js';
import type { UsageReport } from '../services/usage/report.js';

/** Whether an `Accept` header prefers CSV over JSON (`text/csv` listed, JSON not ranked above it). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranked = accept.split(',').map((part, index) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, index };
  });
  const csv = ranked.find((r) => r.type === 'text/csv' && r.q > 0);
  const json = ranked.find((r) => r.type === 'application/json' && r.q > 0);
  return (
    csv !== undefined &&
    (json === undefined || csv.q > json.q || (csv.q === json.q && csv.index < json.index))
  );
}

/**
 * A usage report as JSON, or as `text/csv` when the caller asks for it: `format=csv` in the query
 * (what a download link can say) or an `Accept` header that prefers CSV.
 */
export function usageReply(
  report: UsageReport,
  accept: string | undefined,
  format?: 'json' | 'csv' | undefined,
): UsageReport | Reply {
  if (format !== 'csv' && (format === 'json' || !wantsCsv(accept))) return report;
  const name = `usage-${report.start.slice(0, 10)}-${report.end.slice(0, 10)}.csv`;
  return new Reply(200, usageReportCsv(report), {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}"`,
  });
}

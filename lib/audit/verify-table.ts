import type { Gateway } from '../runtime/gateway.js';
import { keys } from '../store/keys.js';
import type { Item } from '../store/table.js';
import { type ChainReport, verifyChain } from './verify.js';

const DAY_MS = 86_400_000;

/**
 * Reads the whole chain (every day partition from the head's first day to today, in order) and
 * verifies it. Expired events are skipped as reads skip them; the gap they leave is allowed.
 */
export async function verifyAuditTable(deps: Gateway): Promise<ChainReport> {
  const head = await deps.table.get(keys.auditHead());
  const items: Item[] = [];
  const firstDay = typeof head?.first_day === 'string' ? head.first_day : undefined;
  if (firstDay) {
    const today = new Date(deps.now() + DAY_MS).toISOString().slice(0, 10);
    for (let ms = Date.parse(`${firstDay}T00:00:00.000Z`); ; ms += DAY_MS) {
      const day = new Date(ms).toISOString().slice(0, 10);
      if (day > today) break;
      items.push(...(await deps.table.queryAll({ partition: keys.auditDay(day) })));
    }
  }
  return verifyChain(items, head, deps.now());
}

/** The report as lines of text: `OK …` or `TAMPERED …` followed by one line per problem. */
export function formatChainReport(report: ChainReport): string {
  const range =
    report.first_sequence === null ? 'no events' : `events ${report.first_sequence}..${report.last_sequence}`;
  const expired = report.expired > 0 ? `, ${report.expired} earlier expired by retention` : '';
  const lines = [`${report.ok ? 'OK' : 'TAMPERED'}: ${report.checked} checked (${range}${expired})`];
  for (const p of report.problems)
    lines.push(`  ${p.kind}${p.sequence === null ? '' : ` at ${p.sequence}`}: ${p.detail}`);
  return `${lines.join('\n')}\n`;
}

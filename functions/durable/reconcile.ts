/**
 * Recomputes the usage roll-ups of a period from the hourly counters and reports what it fixed
 * (`lib/services/usage/reconcile.ts`). Invoked by its schedule (the last 48 hours, every day) or
 * on demand with `{"from": "<ISO time>", "to": "<ISO time>"}` (`aws lambda invoke`); `npm run
 * usage:reconcile` runs the same code from a shell.
 */

import { logger } from '../../lib/observability.js';
import { bindToContainer } from '../../lib/runtime/container.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { type ReconcileReport, reconcileUsage } from '../../lib/services/usage/reconcile.js';

/** What a scheduled run looks back over when its event names no period. */
export const DEFAULT_LOOKBACK_HOURS = 48;

/** The period of an invocation: `from`/`to` (ISO) when given, else the last {@link DEFAULT_LOOKBACK_HOURS}. */
export function periodOf(event: unknown, nowMs: number): { fromMs: number; toMs: number } {
  const given = (typeof event === 'object' && event !== null ? event : {}) as {
    from?: unknown;
    to?: unknown;
  };
  const toMs = typeof given.to === 'string' ? Date.parse(given.to) : nowMs;
  const fromMs =
    typeof given.from === 'string' ? Date.parse(given.from) : toMs - DEFAULT_LOOKBACK_HOURS * 3_600_000;
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new RangeError('from and to must be ISO date-times');
  return { fromMs, toMs };
}

/** Runs one reconcile and logs its summary (the fixes in full when there are any). */
export async function runReconcile(deps: Gateway, event: unknown): Promise<ReconcileReport> {
  const report = await reconcileUsage(deps, periodOf(event, deps.now()));
  const log = report.fixed.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
  log('usage roll-ups reconciled', { ...report, fixed_count: report.fixed.length });
  return report;
}

/** The Lambda entry point. */
export const handler = bindToContainer((deps) => (event: unknown) => runReconcile(deps, event));

/**
 * The scheduled health check: EventBridge invokes it every `HEALTH_CHECK_INTERVAL` (the local
 * runtime's timer calls {@link handleScheduledEvent} the same way). It checks every active
 * provider and returns the run's report (Lambda ignores it; tests and logs read it).
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Config } from '../../lib/config.js';
import { bindToContainer } from '../../lib/runtime/container.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { type RunReport, runHealthChecks } from '../../lib/services/health/scheduled.js';
import type { ProviderProbe } from '../../lib/services/health/types.js';

/** Kept free of the function's remaining time (ms) for the runtime to return and flush logs. */
const LAMBDA_MARGIN_MS = 1_500;

/** The run's budget: one interval, and never past the function's own timeout. */
export function runBudgetMs(config: Config, remainingMs?: number): number {
  const interval = config.HEALTH_CHECK_INTERVAL * 1000;
  return remainingMs === undefined
    ? interval
    : Math.max(1, Math.min(interval, remainingMs - LAMBDA_MARGIN_MS));
}

/** Runs the checks for one scheduled event (a redelivered event counts nothing twice). */
export async function handleScheduledEvent(
  deps: Gateway,
  event: Pick<ScheduledEvent, 'id' | 'time'>,
  options: { budgetMs?: number; signal?: AbortSignal; probe?: ProviderProbe } = {},
): Promise<RunReport> {
  return runHealthChecks(deps, {
    runId: String(event.id ?? '').slice(0, 128) || 'unknown',
    scheduledAt: event.time,
    budgetMs: options.budgetMs ?? runBudgetMs(deps.config),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.probe ? { probe: options.probe } : {}),
  });
}

/** The Lambda entry point. */
export const handler = bindToContainer(
  (deps) =>
    (event: ScheduledEvent, context?: Context): Promise<RunReport> =>
      handleScheduledEvent(deps, event, {
        budgetMs: runBudgetMs(deps.config, context?.getRemainingTimeInMillis()),
      }),
);

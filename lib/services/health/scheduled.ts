/**
 * The scheduled health run (EventBridge in AWS, a timer locally) and the on-demand check. A run's
 * identity is its event: a redelivery carries the same id and scheduled time, so it lands in the
 * same slot and counts nothing twice; two runs overlapping in one interval do the same.
 */
import type { Principal } from '../../auth/roles.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Actor } from '../actor.js';
import { loadProviderItem } from '../providers/service.js';
import { defaultProbe } from './probes/index.js';
import { activeProviders, checkProvider, mapBounded, type ProviderCheckOutcome, slotOf } from './run.js';
import type { ProviderProbe } from './types.js';

/** Smallest time left (ms) worth starting a probe in; later providers are skipped, not failed. */
const MIN_PROBE_MS = 50;
/** Longest on-demand probe (ms): the API answers within API Gateway's 29 s. */
const MAX_MANUAL_PROBE_MS = 20_000;

export interface ScheduledRunInput {
  /** The event id (EventBridge `id`); recorded on every check of the run. */
  runId: string;
  /** The event's scheduled time (EventBridge `time`); absent or implausible: now. */
  scheduledAt?: string | undefined;
  /** Wall-clock milliseconds the whole run may take. */
  budgetMs: number;
  probe?: ProviderProbe;
  /** Overrides `HEALTH_PROBE_TIMEOUT` (ms). */
  probeTimeoutMs?: number;
  /** Overrides `HEALTH_CONCURRENCY`. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** What a run did, for logs and tests. */
export interface RunReport {
  run_id: string;
  observed_at: string;
  slot: number;
  providers: number;
  checked: number;
  counted: number;
  /** Providers not probed because the budget ran out or the run was stopped. */
  skipped: number;
  /** Providers whose check failed inside the gateway (storage), not upstream. */
  errors: number;
  incidents_opened: string[];
  incidents_resolved: string[];
  duration_ms: number;
}

/**
 * The instant a run counts for: its scheduled time when that is plausible (from two intervals ago
 * to one interval ahead of the gateway clock), else now, so a bad or very late event can neither
 * block future slots nor rewrite old ones.
 */
export function observedAtOf(deps: Gateway, scheduledAt: string | undefined): string {
  const now = deps.now();
  const at = scheduledAt === undefined ? Number.NaN : Date.parse(scheduledAt);
  const interval = deps.config.HEALTH_CHECK_INTERVAL * 1000;
  const plausible = Number.isFinite(at) && at >= now - 2 * interval && at <= now + interval;
  return new Date(plausible ? at : now).toISOString();
}

/** The reserve (ms) a run keeps after its probes for its writes. */
export function writeReserveMs(budgetMs: number): number {
  return Math.min(3_000, Math.max(100, Math.round(budgetMs * 0.2)));
}

function summarize(input: ScheduledRunInput, observedAt: string, slot: number) {
  return (outcomes: Array<ProviderCheckOutcome | 'skipped' | 'error'>, started: number): RunReport => {
    const done = outcomes.filter((o): o is ProviderCheckOutcome => typeof o === 'object');
    return {
      run_id: input.runId,
      observed_at: observedAt,
      slot,
      providers: outcomes.length,
      checked: done.length,
      counted: done.filter((o) => o.counted).length,
      skipped: outcomes.filter((o) => o === 'skipped').length,
      errors: outcomes.filter((o) => o === 'error').length,
      incidents_opened: done.flatMap((o) => (o.incident_opened ? [o.incident_opened] : [])),
      incidents_resolved: done.flatMap((o) => (o.incident_resolved ? [o.incident_resolved] : [])),
      duration_ms: Math.round(performance.now() - started),
    };
  };
}

/**
 * Checks every active provider once. Never throws for one provider's failure (it is logged and
 * counted in `errors`); throws only when the provider list cannot be read.
 */
export async function runHealthChecks(deps: Gateway, input: ScheduledRunInput): Promise<RunReport> {
  const started = performance.now();
  const runEnd = Date.now() + input.budgetMs;
  const probeDeadline = runEnd - writeReserveMs(input.budgetMs);
  const observedAt = observedAtOf(deps, input.scheduledAt);
  const slot = slotOf(Date.parse(observedAt), deps.config.HEALTH_CHECK_INTERVAL);
  const ctx = {
    trigger: 'schedule' as const,
    runId: input.runId,
    observedAt,
    probe: input.probe ?? defaultProbe(deps),
    probeDeadline,
    probeTimeoutMs: input.probeTimeoutMs ?? deps.config.HEALTH_PROBE_TIMEOUT * 1000,
    signal: input.signal,
  };
  const providers = await activeProviders(deps);
  const outcomes = await mapBounded(
    providers,
    input.concurrency ?? deps.config.HEALTH_CONCURRENCY,
    async (item) => {
      if (input.signal?.aborted || Date.now() > probeDeadline - MIN_PROBE_MS) return 'skipped' as const;
      try {
        return (await checkProvider(deps, item, ctx)) ?? ('skipped' as const);
      } catch (error) {
        logger.error('health check failed', { provider_id: item.id, error: describeError(error) });
        return 'error' as const;
      }
    },
  );
  const report = summarize(input, observedAt, slot)(outcomes, started);
  logger.info('health run', { ...report });
  return report;
}

/**
 * Checks one provider now (`POST /api/providers/{id}/health-check`): the same code path as the
 * schedule, counted in the current slot (so a manual check and the scheduled one of the same
 * interval count once between them). An incident the check opens or resolves is recorded as the
 * caller's (`actor`), not the health checker's.
 *
 * @throws NotFoundError for a provider the caller may not see; ServiceUnavailableError on throttling.
 */
export async function checkProviderNow(
  deps: Gateway,
  input: { providerId: string; principal?: Principal; actor: Actor; probe?: ProviderProbe },
) {
  const item = await loadProviderItem(deps, input.providerId, input.principal);
  const probeTimeoutMs = Math.min(deps.config.HEALTH_PROBE_TIMEOUT * 1000, MAX_MANUAL_PROBE_MS);
  const outcome = await checkProvider(deps, item, {
    trigger: 'manual',
    runId: input.actor.requestId,
    actor: input.actor,
    observedAt: new Date(deps.now()).toISOString(),
    probe: input.probe ?? defaultProbe(deps),
    probeDeadline: Date.now() + probeTimeoutMs,
    probeTimeoutMs,
  });
  if (!outcome) throw new Error('health check stopped');
  return {
    provider_id: outcome.provider_id,
    health_status: outcome.state?.status ?? 'unknown',
    latency_ewma_ms: outcome.state?.latency_ewma_ms ?? null,
    consecutive_failures: outcome.state?.consecutive_failures ?? 0,
    check: outcome.check,
    incident_opened: outcome.incident_opened,
    incident_resolved: outcome.incident_resolved,
  };
}

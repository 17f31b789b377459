/**
 * One health run: probe providers concurrently (bounded), each under a timeout, inside the run's
 * budget; then, per provider, count the result once per slot, record it, mirror the status onto
 * the provider and open or resolve its automatic incident. The schedule and the on-demand endpoint
 * both come through {@link checkProvider}.
 */
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import type { Actor } from '../actor.js';
import {
  ensureAutomaticIncident,
  type IncidentTrigger,
  resolveAutomaticIncident,
} from '../incidents/automatic.js';
import { addToHourly, type HealthCheckRecord, recordCheck } from './history.js';
import { guardProbe } from './probes/index.js';
import { countsAsUp, endsIncident, needsIncident, rulesFromConfig } from './rules.js';
import { applyObservation, mirrorHealthStatus } from './state-store.js';
import type { CheckTrigger, HealthState, Observation, ProbeTarget, ProviderProbe } from './types.js';

/** How a run is placed in time and bounded. */
export interface RunContext {
  trigger: CheckTrigger;
  /** The EventBridge event id (the same on a redelivery), or the request id of a manual check. */
  runId: string;
  /** ISO instant the checks count for: the run's scheduled time, or now for a manual check. */
  observedAt: string;
  probe: ProviderProbe;
  /** Wall-clock epoch ms by which every probe must be over (the run keeps a reserve for writes). */
  probeDeadline: number;
  /** Longest single probe, in milliseconds (the provider's own `timeout_seconds` may cut it shorter). */
  probeTimeoutMs: number;
  /** Stops the run (local runtime shutdown): probes abort and nothing more is recorded. */
  signal?: AbortSignal | undefined;
  /** The operator of an on-demand check: incidents it opens or resolves are recorded as theirs. */
  actor?: Actor | undefined;
}

/** What checking one provider did. */
export interface ProviderCheckOutcome {
  provider_id: string;
  check: HealthCheckRecord;
  counted: boolean;
  state: HealthState | undefined;
  incident_opened: string | null;
  incident_resolved: string | null;
}

/** The slot a check counts for: one per `HEALTH_CHECK_INTERVAL`, numbered from the epoch. */
export function slotOf(observedAtMs: number, intervalSeconds: number): number {
  return Math.floor(observedAtMs / (intervalSeconds * 1000));
}

/** The fields a probe needs, from a stored provider item. */
export function probeTargetOf(item: Item): ProbeTarget {
  return {
    id: String(item.id),
    name: String(item.name),
    provider_type: item.provider_type as ProbeTarget['provider_type'],
    base_url: (item.base_url as string | undefined) ?? null,
    timeout_seconds: Number(item.timeout_seconds ?? 30),
    metadata: (item.metadata ?? {}) as Record<string, unknown>,
  };
}

/** Opens or resolves the automatic incident the state calls for; failures are logged, not thrown. */
async function reconcileIncident(deps: Gateway, item: Item, state: HealthState, trigger: IncidentTrigger) {
  const rules = rulesFromConfig(deps.config);
  const provider = { id: String(item.id), name: String(item.name) };
  try {
    if (needsIncident(state, rules)) {
      const opened = await ensureAutomaticIncident(deps, { provider, state, ...trigger });
      return { opened: opened?.id ?? null, resolved: null };
    }
    if (endsIncident(state, rules)) {
      const resolved = await resolveAutomaticIncident(deps, {
        providerId: provider.id,
        at: state.last_checked_at,
        ...trigger,
      });
      return { opened: null, resolved: resolved?.id ?? null };
    }
  } catch (error) {
    logger.warn('incident reconciliation failed', { provider_id: provider.id, error: describeError(error) });
  }
  return { opened: null, resolved: null };
}

/**
 * Probes one provider and records the outcome. Returns undefined when the run was stopped while
 * the probe ran (nothing is recorded then).
 *
 * @throws ServiceUnavailableError when DynamoDB throttles past the SDK's retries.
 */
export async function checkProvider(
  deps: Gateway,
  item: Item,
  ctx: RunContext,
): Promise<ProviderCheckOutcome | undefined> {
  const target = probeTargetOf(item);
  const timeoutMs = Math.min(ctx.probeTimeoutMs, target.timeout_seconds * 1000);
  const deadline = Math.min(Date.now() + timeoutMs, ctx.probeDeadline);
  const result = await guardProbe(ctx.probe, { provider: target, deadline, signal: ctx.signal });
  if (ctx.signal?.aborted) return undefined;
  const observation: Observation = {
    result,
    observedAt: ctx.observedAt,
    slot: slotOf(Date.parse(ctx.observedAt), deps.config.HEALTH_CHECK_INTERVAL),
  };
  const rules = rulesFromConfig(deps.config);
  const applied = await applyObservation(deps, { providerId: target.id, observation, rules });
  const check = await recordCheck(deps, {
    providerId: target.id,
    observation,
    healthStatus: applied.state?.status ?? 'unknown',
    trigger: ctx.trigger,
    runId: ctx.runId,
    counted: applied.counted,
  });
  const outcome: ProviderCheckOutcome = {
    provider_id: target.id,
    check,
    counted: applied.counted,
    state: applied.state,
    incident_opened: null,
    incident_resolved: null,
  };
  if (!applied.counted || !applied.state) return outcome;
  await addToHourly(deps, { providerId: target.id, at: ctx.observedAt, up: countsAsUp(observation) });
  if (applied.state.status !== item.health_status) await mirrorHealthStatus(deps, applied.state);
  const incident = await reconcileIncident(deps, item, applied.state, { runId: ctx.runId, actor: ctx.actor });
  return { ...outcome, incident_opened: incident.opened, incident_resolved: incident.resolved };
}

/** Every provider the schedule checks: lifecycle status `active` (inactive and maintenance rest). */
export async function activeProviders(deps: Gateway): Promise<Item[]> {
  const all = await deps.table.queryAll({ index: 'gsi1', partition: keys.providersPartition() });
  return all.filter((item) => item.status === 'active');
}

/** Runs `worker` over `items` with at most `concurrency` at a time, keeping order in the results. */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

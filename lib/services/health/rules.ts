/**
 * The health state machine, pure: given the stored state and one counted observation, the next
 * state. Kept free of I/O so every transition is unit-tested.
 *
 * - `down`: `failuresToDown` consecutive failures; it stays down until `successesToRecover`
 *   consecutive successes (hysteresis: one lucky probe does not end an outage).
 * - `degraded`: failing but not yet down, rate limited, or answering with a latency EWMA above
 *   `degradedLatencyMs`.
 * - `healthy`: otherwise.
 *
 * A `rate_limited` probe proves the provider is up but throttling us: it moves neither counter.
 */
import type { Config } from '../../config.js';
import type { HealthRules, HealthState, HealthStatus, Observation } from './types.js';

/** Weight of the newest latency in the EWMA (0.3: about the last 5–6 checks dominate). */
export const EWMA_ALPHA = 0.3;

/** Thresholds from configuration. */
export function rulesFromConfig(config: Config): HealthRules {
  return {
    failuresToDown: config.HEALTH_FAILURES_TO_OPEN,
    successesToRecover: config.HEALTH_SUCCESSES_TO_RESOLVE,
    degradedLatencyMs: config.HEALTH_DEGRADED_LATENCY_MS,
    ewmaAlpha: EWMA_ALPHA,
  };
}

/** Whether a probe result is a soft failure (provider up, refusing for load): counts neither way. */
export function isSoftFailure(observation: Observation): boolean {
  return !observation.result.ok && observation.result.errorClass === 'rate_limited';
}

/** Whether a probe result counts as "up" for uptime: ok, or rate limited (answering, but busy). */
export function countsAsUp(observation: Observation): boolean {
  return observation.result.ok || isSoftFailure(observation);
}

function nextEwma(previous: number | null, observation: Observation, alpha: number): number | null {
  if (!observation.result.ok) return previous;
  const latency = observation.result.latencyMs;
  if (previous === null) return Math.round(latency * 100) / 100;
  return Math.round((alpha * latency + (1 - alpha) * previous) * 100) / 100;
}

function statusOf(
  state: Omit<HealthState, 'status' | 'status_since'>,
  previous: HealthStatus,
  observation: Observation,
  rules: HealthRules,
): HealthStatus {
  if (state.consecutive_failures >= rules.failuresToDown) return 'down';
  if (previous === 'down' && state.consecutive_successes < rules.successesToRecover) return 'down';
  if (!observation.result.ok) return 'degraded';
  if (state.latency_ewma_ms !== null && state.latency_ewma_ms > rules.degradedLatencyMs) return 'degraded';
  return 'healthy';
}

/**
 * The state after one counted observation. `previous` is undefined for a provider never checked.
 * The caller guarantees `observation.slot > previous.last_slot` (older or repeated slots are not
 * counted at all).
 */
export function nextHealthState(
  providerId: string,
  previous: HealthState | undefined,
  observation: Observation,
  rules: HealthRules,
): HealthState {
  const soft = isSoftFailure(observation);
  const ok = observation.result.ok;
  const failures = previous?.consecutive_failures ?? 0;
  const successes = previous?.consecutive_successes ?? 0;
  const counters = {
    provider_id: providerId,
    consecutive_failures: ok ? 0 : soft ? failures : failures + 1,
    consecutive_successes: ok ? successes + 1 : soft ? successes : 0,
    latency_ewma_ms: nextEwma(previous?.latency_ewma_ms ?? null, observation, rules.ewmaAlpha),
    last_latency_ms: Math.round(observation.result.latencyMs * 100) / 100,
    last_error_class: ok ? null : (observation.result.errorClass ?? 'bad_response'),
    last_checked_at: observation.observedAt,
    last_slot: observation.slot,
    seq: (previous?.seq ?? 0) + 1,
  };
  const status = statusOf(counters, previous?.status ?? 'unknown', observation, rules);
  const changed = status !== previous?.status;
  return {
    ...counters,
    status,
    status_since: changed || !previous ? observation.observedAt : previous.status_since,
  };
}

/** Whether the state calls for an automatic incident (level-triggered: retried until one exists). */
export function needsIncident(state: HealthState, rules: HealthRules): boolean {
  return state.consecutive_failures >= rules.failuresToDown;
}

/** Whether the state ends an automatic incident (level-triggered, like {@link needsIncident}). */
export function endsIncident(state: HealthState, rules: HealthRules): boolean {
  return state.consecutive_successes >= rules.successesToRecover;
}

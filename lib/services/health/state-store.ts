/**
 * The health state of each provider (`PROVIDER#<id> / HEALTH_STATE`) and its mirror on the provider
 * item. Every change is a single-item conditional write:
 *
 * - the state item advances only if its `seq` is the one read and the observation's slot is newer
 *   than the last counted one, so a run delivered twice, or two runs overlapping, count a slot once;
 * - the provider's `health_status` is set without touching its `version` or `updated_at` (health is
 *   not configuration: an admin's PATCH with the version they read must not fail because a check
 *   ran), conditioned on the provider existing and on `health_seq` being older, so a slow run can
 *   never overwrite a newer status.
 */

import { logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { nextHealthState } from './rules.js';
import type { HealthRules, HealthState, HealthStatus, Observation } from './types.js';

/** Attempts of the read-compute-write loop before a contended update gives up (not counted). */
const MAX_ATTEMPTS = 5;

function toState(item: Item): HealthState {
  return {
    provider_id: String(item.provider_id),
    status: item.status as HealthStatus,
    status_since: String(item.status_since),
    consecutive_failures: Number(item.consecutive_failures ?? 0),
    consecutive_successes: Number(item.consecutive_successes ?? 0),
    latency_ewma_ms: typeof item.latency_ewma_ms === 'number' ? item.latency_ewma_ms : null,
    last_latency_ms: typeof item.last_latency_ms === 'number' ? item.last_latency_ms : null,
    last_error_class: (item.last_error_class ?? null) as HealthState['last_error_class'],
    last_checked_at: String(item.last_checked_at),
    last_slot: Number(item.last_slot ?? -1),
    seq: Number(item.seq ?? 0),
  };
}

/** The stored health of a provider (strongly consistent), or undefined if it was never checked. */
export async function readHealthState(deps: Gateway, providerId: string): Promise<HealthState | undefined> {
  const item = await deps.table.get(keys.providerHealthState(providerId));
  return item ? toState(item) : undefined;
}

/** Writes `next` if the stored state is still `previous`; false when another writer got there first. */
async function writeIfUnchanged(deps: Gateway, previous: HealthState | undefined, next: HealthState) {
  const item = {
    ...keys.providerHealthState(next.provider_id),
    entity: 'provider_health',
    ...next,
    updated_at: new Date(deps.now()).toISOString(),
  };
  return deps.table.put(
    item,
    previous
      ? { condition: '#seq = :seq', names: { '#seq': 'seq' }, values: { ':seq': previous.seq } }
      : { condition: 'attribute_not_exists(pk)' },
  );
}

/** The outcome of {@link applyObservation}. */
export interface AppliedObservation {
  /** Whether this observation moved the counters (false: its slot was already counted). */
  counted: boolean;
  /** The state before, and after (equal to the stored one when not counted). */
  previous: HealthState | undefined;
  state: HealthState | undefined;
}

/**
 * Counts one observation of a provider, exactly once per slot: reads the state, computes the next
 * one, and writes it conditionally; a lost race re-reads and either retries (a newer slot) or stops
 * (this slot, or a later one, is already counted).
 *
 * @throws ServiceUnavailableError when DynamoDB throttles past the SDK's retries.
 */
export async function applyObservation(
  deps: Gateway,
  input: { providerId: string; observation: Observation; rules: HealthRules },
): Promise<AppliedObservation> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const previous = await readHealthState(deps, input.providerId);
    if (previous && previous.last_slot >= input.observation.slot) {
      return { counted: false, previous, state: previous };
    }
    const next = nextHealthState(input.providerId, previous, input.observation, input.rules);
    if (await writeIfUnchanged(deps, previous, next)) {
      rememberHealth(deps, next);
      return { counted: true, previous, state: next };
    }
  }
  logger.warn('health state contended; observation not counted', { provider_id: input.providerId });
  const current = await readHealthState(deps, input.providerId);
  return { counted: false, previous: current, state: current };
}

/**
 * Copies the status onto the provider item (what `GET /api/providers` shows and filters on) without
 * bumping its version. Returns false when the provider is gone or a newer status is already there.
 */
export async function mirrorHealthStatus(deps: Gateway, state: HealthState): Promise<boolean> {
  const outcome = await deps.table.update({
    key: keys.provider(state.provider_id),
    set: { health_status: state.status, health_seq: state.seq, health_since: state.status_since },
    condition: 'attribute_exists(pk) AND (attribute_not_exists(health_seq) OR health_seq < :seq)',
    values: { ':seq': state.seq },
  });
  return outcome.applied;
}

/** What routing reads about a provider's health. */
export interface ProviderHealth {
  status: HealthStatus;
  latency_ewma_ms: number | null;
  consecutive_failures: number;
  last_checked_at: string | null;
}

const UNKNOWN: ProviderHealth = {
  status: 'unknown',
  latency_ewma_ms: null,
  consecutive_failures: 0,
  last_checked_at: null,
};
const CACHE_LIMIT = 1_000;
/** The instance's cached health views, by provider id. */
const HEALTH = stateSlot<Gateway, Map<string, { value: ProviderHealth; expiresAt: number }>>(
  'provider health',
  () => new Map(),
);

function cacheOf(deps: Gateway) {
  return deps.state(HEALTH);
}

function viewOf(state: HealthState): ProviderHealth {
  return {
    status: state.status,
    latency_ewma_ms: state.latency_ewma_ms,
    consecutive_failures: state.consecutive_failures,
    last_checked_at: state.last_checked_at,
  };
}

function remember(deps: Gateway, providerId: string, value: ProviderHealth): void {
  const cache = cacheOf(deps);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(providerId, { value, expiresAt: deps.now() + deps.config.ROUTING_CACHE_TTL * 1000 });
}

function rememberHealth(deps: Gateway, state: HealthState): void {
  remember(deps, state.provider_id, viewOf(state));
}

/**
 * A provider's health for routing: status, latency EWMA (ms) and failure streak. Cached per
 * container for `ROUTING_CACHE_TTL` seconds (0: every call reads), so the hot path reads nothing in
 * steady state. A provider never checked is `unknown`.
 *
 * @throws ServiceUnavailableError when the read is throttled (callers on the hot path may treat
 *   that as `unknown`).
 */
export async function getProviderHealth(deps: Gateway, providerId: string): Promise<ProviderHealth> {
  const cached = cacheOf(deps).get(providerId);
  if (cached && cached.expiresAt > deps.now()) return cached.value;
  const state = await readHealthState(deps, providerId);
  const value = state ? viewOf(state) : UNKNOWN;
  remember(deps, providerId, value);
  return value;
}

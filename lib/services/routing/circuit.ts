/**
 * Circuit breakers per provider and per provider+model, shared by every instance through the table
 * and cached per instance for `ROUTING_CACHE_TTL`:
 *
 * - closed: traffic flows; retryable failures are counted in a fixed window of
 *   `CIRCUIT_FAILURE_WINDOW_SECONDS`; at `CIRCUIT_FAILURE_THRESHOLD` the circuit opens.
 * - open: no traffic for `CIRCUIT_OPEN_SECONDS` (or an upstream's longer `Retry-After`: a cooldown
 *   that every instance honours).
 * - half-open: after that, exactly one request across all instances takes a probe lease
 *   (conditional write, expiring) and tests the upstream; an answer closes the circuit, a retryable
 *   failure opens it again.
 *
 * Writes happen only on failures and state changes, never on ordinary successes. An instance
 * updates its own view from every item it writes; others see it at their next refresh.
 */
import type { Config } from '../../config.js';
import type { Gateway } from '../../runtime/gateway.js';
import {
  type CircuitId,
  circuitViewOf,
  countFailure,
  endProbe,
  openCircuit,
  readCircuit,
  takeProbeLease,
} from './circuit-store.js';
import type { ClassifiedFailure } from './failure.js';
import { type CircuitView, pairKey, routingState } from './state.js';

export type { CircuitId } from './circuit-store.js';

/** What this instance believes about a circuit right now (no I/O). */
export type CircuitCheck =
  | { status: 'closed' }
  | { status: 'open'; retryAfterMs: number }
  | { status: 'probe_due' };

/** A probe lease this instance holds on one circuit. */
export interface ProbeLease {
  circuit: CircuitId;
  probeId: string;
}

/** Shortest `Retry-After` that opens a shared cooldown (shorter ones are only waited out locally). */
const MIN_COOLDOWN_MS = 1_000;

function settings(config: Config) {
  return {
    threshold: config.CIRCUIT_FAILURE_THRESHOLD,
    windowMs: config.CIRCUIT_FAILURE_WINDOW_SECONDS * 1000,
    openMs: config.CIRCUIT_OPEN_SECONDS * 1000,
  };
}

function remember(deps: Gateway, id: CircuitId, item: Record<string, unknown> | null | undefined): void {
  if (!item) return;
  const key = pairKey(id.providerId, id.modelId);
  const view = circuitViewOf(item);
  if (view.state === 'closed') routingState(deps).circuits.delete(key);
  else routingState(deps).circuits.set(key, view);
}

/** This instance's cached view of a circuit (closed when unknown). */
export function circuitView(deps: Gateway, id: CircuitId): CircuitView | undefined {
  return routingState(deps).circuits.get(pairKey(id.providerId, id.modelId));
}

/** Classifies a circuit from the cached view at `now`: closed, open (for how long), or probe due. */
export function checkCircuit(deps: Gateway, id: CircuitId, now: number): CircuitCheck {
  const view = circuitView(deps, id);
  if (!view || view.state === 'closed') return { status: 'closed' };
  if (now < view.openUntil) return { status: 'open', retryAfterMs: view.openUntil - now };
  if (now < view.probeUntil) return { status: 'open', retryAfterMs: Math.min(1_000, view.probeUntil - now) };
  return { status: 'probe_due' };
}

/**
 * Lets an attempt on (provider, model) through the provider circuit and the pair circuit. Closed:
 * no I/O. Open: refused with the time left. Probe due: takes the lease (one conditional write per
 * circuit); a lost race re-reads the item and refuses.
 *
 * @param leaseMs - how long a probe may run before another instance may probe (the provider timeout).
 */
export async function passCircuits(
  deps: Gateway,
  input: { providerId: string; modelId: string; leaseMs: number },
): Promise<{ allow: true; leases: ProbeLease[] } | { allow: false; retryAfterMs: number }> {
  const now = deps.now();
  const ids: CircuitId[] = [
    { providerId: input.providerId },
    { providerId: input.providerId, modelId: input.modelId },
  ];
  const checks = ids.map((id) => checkCircuit(deps, id, now));
  const open = checks.filter((c): c is Extract<CircuitCheck, { status: 'open' }> => c.status === 'open');
  if (open.length > 0) return { allow: false, retryAfterMs: Math.max(...open.map((c) => c.retryAfterMs)) };
  const leases: ProbeLease[] = [];
  const probeId = `${routingState(deps).instanceId}:${now}:${Math.random().toString(36).slice(2, 10)}`;
  for (const [i, id] of ids.entries()) {
    if (checks[i]?.status !== 'probe_due') continue;
    const item = await takeProbeLease(deps, id, { now, leaseMs: input.leaseMs, probeId });
    if (!item) {
      // Lost the race (or the circuit closed meanwhile): learn the stored state.
      remember(deps, id, (await readCircuit(deps, id)) ?? { state: 'closed' });
      const after = checkCircuit(deps, id, deps.now());
      if (after.status === 'closed') continue;
      await endProbes(deps, leases, 'release');
      return { allow: false, retryAfterMs: after.status === 'open' ? after.retryAfterMs : 1_000 };
    }
    remember(deps, id, item);
    leases.push({ circuit: id, probeId });
  }
  return { allow: true, leases };
}

async function endProbes(deps: Gateway, leases: readonly ProbeLease[], outcome: 'close' | 'release') {
  for (const lease of leases) {
    const item = await endProbe(deps, lease.circuit, { now: deps.now(), probeId: lease.probeId, outcome });
    remember(deps, lease.circuit, item);
  }
}

/** Whether a failure says the whole provider is unwell (not just this model or this caller's rate). */
function isProviderFault(failure: ClassifiedFailure): boolean {
  if (failure.class === 'timeout') return failure.status === null;
  return (
    failure.class === 'connect_error' || failure.class === 'server_error' || failure.class === 'overloaded'
  );
}

async function countAndMaybeOpen(deps: Gateway, id: CircuitId): Promise<void> {
  const s = settings(deps.config);
  const now = deps.now();
  const item = await countFailure(deps, id, { now, windowMs: s.windowMs });
  remember(deps, id, item);
  if (Number(item.failures ?? 0) >= s.threshold && (item.state ?? 'closed') === 'closed') {
    remember(deps, id, await openCircuit(deps, id, { now, until: now + s.openMs, mode: 'threshold' }));
  }
}

/**
 * Records what an attempt on (provider, model) did, for the circuits:
 * - `answered` (a success, or a non-retryable answer such as a 400: the upstream is up): closes any
 *   circuit this attempt probed; otherwise nothing is written;
 * - `not_attempted` (refused before the call, e.g. by a rate limit): frees the probe leases;
 * - `failed` (a retryable failure): a probed circuit opens again; otherwise the failure is counted
 *   (on the pair; also on the provider for transport and server faults) and may open the circuit;
 *   a `Retry-After` of a second or more opens the pair circuit for that long, for every instance.
 */
export async function recordCircuitOutcome(
  deps: Gateway,
  input: {
    providerId: string;
    modelId: string;
    leases: readonly ProbeLease[];
    outcome: 'answered' | 'not_attempted' | 'failed';
    failure?: ClassifiedFailure;
  },
): Promise<void> {
  if (input.outcome !== 'failed' || !input.failure) {
    await endProbes(deps, input.leases, input.outcome === 'answered' ? 'close' : 'release');
    return;
  }
  const failure = input.failure;
  const now = deps.now();
  const s = settings(deps.config);
  for (const lease of input.leases) {
    const until = now + Math.max(s.openMs, failure.retryAfterMs ?? 0);
    const item = await openCircuit(deps, lease.circuit, {
      now,
      until,
      mode: 'reopen',
      probeId: lease.probeId,
    });
    remember(deps, lease.circuit, item);
  }
  const held = new Set(input.leases.map((l) => pairKey(l.circuit.providerId, l.circuit.modelId)));
  const pair: CircuitId = { providerId: input.providerId, modelId: input.modelId };
  const ids: CircuitId[] = isProviderFault(failure) ? [{ providerId: input.providerId }, pair] : [pair];
  for (const id of ids) {
    if (!held.has(pairKey(id.providerId, id.modelId))) await countAndMaybeOpen(deps, id);
  }
  const cooldown = failure.retryAfterMs ?? 0;
  if (cooldown >= MIN_COOLDOWN_MS && !held.has(pairKey(pair.providerId, pair.modelId))) {
    remember(deps, pair, await openCircuit(deps, pair, { now, until: now + cooldown, mode: 'cooldown' }));
  }
}

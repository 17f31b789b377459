/**
 * Circuit items in the table: single-item conditional writes only (no transactions), each returning
 * the item as written so the writer's instance can update its own view at once. Attributes:
 * `state` (closed | open | half_open), `fail_window` + `failures` (a fixed counting window),
 * `open_until`, `opened_at` (when it last opened), `probe_until` + `probe_id` (the half-open probe
 * lease), `changed_at` (epoch ms).
 * While not closed, the item carries the sparse `OPEN_CIRCUITS` index keys.
 */

import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item, UpdateInput } from '../../store/table.js';
import { type CircuitView, pairKey } from './state.js';

/** Which circuit: a provider (`modelId` undefined) or a provider+model pair. */
export interface CircuitId {
  providerId: string;
  modelId?: string | undefined;
}

/** The view and map key of a stored circuit item. */
export function circuitEntryOf(item: Item | Record<string, unknown>): [string, CircuitView] {
  const providerId = String(item.provider_id);
  const modelId = typeof item.model_id === 'string' ? item.model_id : undefined;
  return [pairKey(providerId, modelId), circuitViewOf(item)];
}

/** An instance's view of a stored circuit item (missing attributes read as closed). */
export function circuitViewOf(item: Record<string, unknown> | undefined): CircuitView {
  const state = item?.state === 'open' || item?.state === 'half_open' ? item.state : 'closed';
  return {
    state,
    openUntil: Number(item?.open_until ?? 0),
    probeUntil: Number(item?.probe_until ?? 0),
    changedAt: Number(item?.changed_at ?? 0),
  };
}

/** One conditional update of a circuit item, its identity attributes set too; `null` when refused. */
async function update(
  deps: Gateway,
  id: CircuitId,
  input: Pick<UpdateInput, 'set' | 'add' | 'remove' | 'condition' | 'values'>,
): Promise<Record<string, unknown> | null> {
  const outcome = await deps.table.update({
    ...input,
    key: keys.circuit(id.providerId, id.modelId),
    set: { ...input.set, provider_id: id.providerId, model_id: id.modelId ?? null, entity: 'circuit' },
    // `state` is a reserved word: conditions name it `#state`.
    ...(input.condition?.includes('#state') ? { names: { '#state': 'state' } } : {}),
    returnValues: 'ALL_NEW',
  });
  return outcome.applied ? (outcome.item ?? null) : null;
}

/**
 * Counts one failure in the current fixed window (`windowMs` long), starting a new window when the
 * stored one is older. Returns the item after the write.
 */
export async function countFailure(
  deps: Gateway,
  id: CircuitId,
  input: { now: number; windowMs: number },
): Promise<Record<string, unknown>> {
  const window = Math.floor(input.now / input.windowMs);
  for (let i = 0; i < 3; i++) {
    const same = await update(deps, id, {
      add: { failures: 1 },
      condition: 'fail_window = :w',
      values: { ':w': window },
    });
    if (same) return same;
    const fresh = await update(deps, id, {
      set: { fail_window: window, failures: 1 },
      condition: 'attribute_not_exists(fail_window) OR fail_window < :w',
      values: { ':w': window },
    });
    if (fresh) return fresh;
  }
  // Another writer keeps moving the window (clock skew): report the stored state.
  return (await readCircuit(deps, id)) ?? {};
}

/**
 * Opens a circuit until `until`. `mode` says when: `threshold` only if it is closed now (so
 * concurrent openers write once), `cooldown` if that moves `open_until` later (an upstream's
 * Retry-After), `reopen` only if this instance holds the probe lease (`probeId`).
 */
export async function openCircuit(
  deps: Gateway,
  id: CircuitId,
  input: { now: number; until: number; mode: 'threshold' | 'cooldown' | 'reopen'; probeId?: string },
): Promise<Record<string, unknown> | null> {
  const conditions = {
    threshold: {
      condition: 'attribute_not_exists(#state) OR #state = :closed',
      values: { ':closed': 'closed' },
    },
    cooldown: {
      condition: 'attribute_not_exists(open_until) OR #state = :closed OR open_until < :until',
      values: { ':closed': 'closed', ':until': input.until },
    },
    reopen: { condition: 'probe_id = :probe', values: { ':probe': input.probeId } },
  };
  return update(deps, id, {
    set: {
      state: 'open',
      open_until: input.until,
      opened_at: input.now,
      changed_at: input.now,
      ...keys.openCircuitIndex(id.providerId, id.modelId),
    },
    remove: ['probe_until', 'probe_id'],
    ...conditions[input.mode],
  });
}

/**
 * Takes the half-open probe lease: succeeds for exactly one caller across all instances once the
 * open period has passed and no unexpired lease exists. Returns the item, or `null` if not taken.
 */
export async function takeProbeLease(
  deps: Gateway,
  id: CircuitId,
  input: { now: number; leaseMs: number; probeId: string },
): Promise<Record<string, unknown> | null> {
  return update(deps, id, {
    set: {
      state: 'half_open',
      probe_until: input.now + input.leaseMs,
      probe_id: input.probeId,
      changed_at: input.now,
    },
    condition:
      '(#state = :open OR #state = :half) AND open_until <= :now AND (attribute_not_exists(probe_until) OR probe_until < :now)',
    values: { ':half': 'half_open', ':open': 'open', ':now': input.now },
  });
}

/**
 * Ends a probe this instance holds: `close` (the upstream answered) resets the circuit; `release`
 * (the probe never reached the upstream) frees the lease for another probe. `null` if not held.
 */
export async function endProbe(
  deps: Gateway,
  id: CircuitId,
  input: { now: number; probeId: string; outcome: 'close' | 'release' },
): Promise<Record<string, unknown> | null> {
  const close = input.outcome === 'close';
  return update(deps, id, {
    set: close
      ? { state: 'closed', failures: 0, changed_at: input.now }
      : { state: 'open', changed_at: input.now },
    remove: close
      ? ['probe_until', 'probe_id', 'open_until', 'opened_at', 'gsi1pk', 'gsi1sk']
      : ['probe_until', 'probe_id'],
    condition: 'probe_id = :probe',
    values: { ':probe': input.probeId },
  });
}

/** Reads a circuit item (strongly consistent); used only when a lease race was lost. */
export async function readCircuit(
  deps: Gateway,
  id: CircuitId,
): Promise<Record<string, unknown> | undefined> {
  return deps.table.get(keys.circuit(id.providerId, id.modelId));
}

/**
 * Every circuit that is not closed, of every provider (one query of the sparse `OPEN_CIRCUITS`
 * index, eventually consistent in AWS): what the provider API reports. Closed circuits have no
 * entry there.
 */
export async function listOpenCircuits(deps: Gateway): Promise<Item[]> {
  return deps.table.queryAll({ index: 'gsi1', partition: keys.openCircuitsPartition() });
}

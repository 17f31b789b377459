/**
 * Circuit items in the table: single-item conditional writes only (no transactions), each returning
 * the item as written so the writer's instance can update its own view at once. Attributes:
 * `state` (closed | open | half_open), `fail_window` + `failures` (a fixed counting window),
 * `open_until`, `probe_until` + `probe_id` (the half-open probe lease), `changed_at` (epoch ms).
 * While not closed, the item carries the sparse `OPEN_CIRCUITS` index keys.
 */

import type { Deps } from '../../runtime/deps.js';
import { GetCommand, UpdateCommand } from '../../store/document-client.js';
import { isConditionFailed, translateStoreError } from '../../store/errors.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type CircuitView, pairKey } from './state.js';

/** Which circuit: a provider (`modelId` undefined) or a provider+model pair. */
export interface CircuitId {
  providerId: string;
  modelId?: string | undefined;
}

const NAMES = { '#state': 'state' };

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

/** One conditional update of a circuit item; `null` when its condition failed. */
async function update(
  deps: Deps,
  id: CircuitId,
  input: { set: string; condition?: string; values: Record<string, unknown>; remove?: string },
): Promise<Record<string, unknown> | null> {
  try {
    const out = await deps.table.client.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: keys.circuit(id.providerId, id.modelId),
        UpdateExpression: `SET ${input.set}, provider_id = :pid, model_id = :mid, entity = :entity${input.remove ? ` REMOVE ${input.remove}` : ''}`,
        ConditionExpression: input.condition,
        ExpressionAttributeNames:
          input.set.includes('#state') || input.condition?.includes('#state') ? NAMES : undefined,
        ExpressionAttributeValues: {
          ...input.values,
          ':pid': id.providerId,
          ':mid': id.modelId ?? null,
          ':entity': 'circuit',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ?? null;
  } catch (error) {
    if (isConditionFailed(error)) return null;
    return translateStoreError(error);
  }
}

/**
 * Counts one failure in the current fixed window (`windowMs` long), starting a new window when the
 * stored one is older. Returns the item after the write.
 */
export async function countFailure(
  deps: Deps,
  id: CircuitId,
  input: { now: number; windowMs: number },
): Promise<Record<string, unknown>> {
  const window = Math.floor(input.now / input.windowMs);
  for (let i = 0; i < 3; i++) {
    const same = await update(deps, id, {
      set: 'failures = if_not_exists(failures, :zero) + :one',
      condition: 'fail_window = :w',
      values: { ':w': window, ':one': 1, ':zero': 0 },
    });
    if (same) return same;
    const fresh = await update(deps, id, {
      set: 'fail_window = :w, failures = :one',
      condition: 'attribute_not_exists(fail_window) OR fail_window < :w',
      values: { ':w': window, ':one': 1 },
    });
    if (fresh) return fresh;
  }
  // Another writer keeps moving the window (clock skew): report the stored state.
  return (await readCircuit(deps, id)) ?? {};
}

const OPEN_SET = '#state = :open, open_until = :until, changed_at = :now, gsi1pk = :gpk, gsi1sk = :gsk';

function openValues(id: CircuitId, now: number, until: number): Record<string, unknown> {
  const index = keys.openCircuitIndex(id.providerId, id.modelId);
  return { ':open': 'open', ':until': until, ':now': now, ':gpk': index.gsi1pk, ':gsk': index.gsi1sk };
}

/**
 * Opens a circuit until `until`. `mode` says when: `threshold` only if it is closed now (so
 * concurrent openers write once), `cooldown` if that moves `open_until` later (an upstream's
 * Retry-After), `reopen` only if this instance holds the probe lease (`probeId`).
 */
export async function openCircuit(
  deps: Deps,
  id: CircuitId,
  input: { now: number; until: number; mode: 'threshold' | 'cooldown' | 'reopen'; probeId?: string },
): Promise<Record<string, unknown> | null> {
  const conditions = {
    threshold: 'attribute_not_exists(#state) OR #state = :closed',
    cooldown: 'attribute_not_exists(open_until) OR #state = :closed OR open_until < :until',
    reopen: 'probe_id = :probe',
  };
  return update(deps, id, {
    set: OPEN_SET,
    remove: 'probe_until, probe_id',
    condition: conditions[input.mode],
    values: {
      ...openValues(id, input.now, input.until),
      ...(input.mode === 'reopen' ? { ':probe': input.probeId } : { ':closed': 'closed' }),
    },
  });
}

/**
 * Takes the half-open probe lease: succeeds for exactly one caller across all instances once the
 * open period has passed and no unexpired lease exists. Returns the item, or `null` if not taken.
 */
export async function takeProbeLease(
  deps: Deps,
  id: CircuitId,
  input: { now: number; leaseMs: number; probeId: string },
): Promise<Record<string, unknown> | null> {
  return update(deps, id, {
    set: '#state = :half, probe_until = :lease, probe_id = :probe, changed_at = :now',
    condition:
      '(#state = :open OR #state = :half) AND open_until <= :now AND (attribute_not_exists(probe_until) OR probe_until < :now)',
    values: {
      ':half': 'half_open',
      ':open': 'open',
      ':lease': input.now + input.leaseMs,
      ':probe': input.probeId,
      ':now': input.now,
    },
  });
}

/**
 * Ends a probe this instance holds: `close` (the upstream answered) resets the circuit; `release`
 * (the probe never reached the upstream) frees the lease for another probe. `null` if not held.
 */
export async function endProbe(
  deps: Deps,
  id: CircuitId,
  input: { now: number; probeId: string; outcome: 'close' | 'release' },
): Promise<Record<string, unknown> | null> {
  const close = input.outcome === 'close';
  return update(deps, id, {
    set: close
      ? '#state = :closed, failures = :zero, changed_at = :now'
      : '#state = :open, changed_at = :now',
    remove: close ? 'probe_until, probe_id, open_until, gsi1pk, gsi1sk' : 'probe_until, probe_id',
    condition: 'probe_id = :probe',
    values: close
      ? { ':closed': 'closed', ':zero': 0, ':now': input.now, ':probe': input.probeId }
      : { ':open': 'open', ':now': input.now, ':probe': input.probeId },
  });
}

/** Reads a circuit item (strongly consistent); used only when a lease race was lost. */
export async function readCircuit(deps: Deps, id: CircuitId): Promise<Record<string, unknown> | undefined> {
  const out = await deps.table.client
    .send(
      new GetCommand({
        TableName: deps.table.tableName,
        Key: keys.circuit(id.providerId, id.modelId),
        ConsistentRead: true,
      }),
    )
    .catch(translateStoreError);
  return out.Item;
}

import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { keys, usageShards } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { MS } from '../usage/time.js';
import { amountOf, limitUnits, metricOf, percentOf, type QuotaState, stateOf, unitOf } from './model.js';
import { notifyCrossing } from './notify.js';
import { OLDER_STATE, replicateState, stateOrder } from './replicas.js';
import { notifyThresholds } from './thresholds.js';
import { countedInWindow, type Overlay } from './usage.js';
import type { QuotaWindow } from './windows.js';

/** The actor recorded on every state change the enforcer makes (the audit trail reads it). */
export const ENFORCER_ACTOR = 'quota-enforcer';
/** Window states are kept this long after the window ends. */
const STATE_RETENTION_DAYS = 35;

/** A window's evaluated state, as stored. */
export interface EvaluatedState {
  state: QuotaState;
  used: number;
  limit: number;
  item: Item;
}

/**
 * Writes a window's state unless a newer one is stored, then its read replicas' copies. Usage only
 * grows within a window, so a state with less usage (a replayed or out-of-order batch) never
 * overwrites one with more; a newer quota version (a PATCH changed the limit) always wins. Returns
 * the item as stored.
 */
async function writeState(
  deps: Gateway,
  input: { quota: Quota; window: QuotaWindow; used: number; limit: number; state: QuotaState; cause: string },
): Promise<Item> {
  const { quota, window } = input;
  const metric = metricOf(quota.quota_type);
  const key = keys.quotaState(quota.id, window.id);
  const outcome = await deps.table.update({
    key,
    set: {
      entity: 'quota_state',
      quota_id: quota.id,
      window: window.id,
      state: input.state,
      used: input.used,
      limit_units: input.limit,
      unit: unitOf(metric),
      percent: percentOf(input.used, input.limit),
      resets_at: new Date(window.endMs).toISOString(),
      quota_version: quota.version,
      evaluated_at: new Date(deps.now()).toISOString(),
      ...keys.quotaStateIndex(window.id, quota.id),
      [TABLE_SCHEMA.ttlAttribute]: Math.floor(window.endMs / 1000) + STATE_RETENTION_DAYS * (MS.DAY / 1000),
      last_actor: ENFORCER_ACTOR,
      last_request_id: input.cause,
      last_source_ip: '',
    },
    condition: OLDER_STATE,
    values: stateOrder({ quota_version: quota.version, used: input.used }),
    returnValues: 'ALL_NEW',
  });
  // Refused: a newer state is stored, and it is the answer.
  const stored = outcome.applied ? (outcome.item as Item) : await deps.table.get(key);
  if (!stored) throw new Error(`quota state ${quota.id}/${window.id} refused a write but reads as absent`);
  // The request path reads copies; a retry of a batch that stopped here copies the state again.
  await replicateState(deps, stored);
  return stored;
}

/** Usage shard → the part of a window's usage in it. */
type Parts = Map<number | undefined, number>;

/**
 * Stores one shard's part of a window's usage unless a larger one is stored (parts only grow for
 * one version of a quota: rollups only grow); returns the part as stored.
 */
async function storePart(
  deps: Gateway,
  input: { quota: Quota; window: QuotaWindow; shard: number | undefined; used: number },
): Promise<number> {
  const { quota, window, shard, used } = input;
  const key = keys.quotaPart(quota.id, shard, window.id, quota.version);
  const outcome = await deps.table.update({
    key,
    set: {
      entity: 'quota_part',
      used,
      [TABLE_SCHEMA.ttlAttribute]: Math.floor(window.endMs / 1000) + STATE_RETENTION_DAYS * (MS.DAY / 1000),
    },
    condition: 'attribute_not_exists(pk) OR used < :used',
    values: { ':used': used },
  });
  if (outcome.applied) return used;
  const current = await deps.table.get(key);
  return Number(current?.used ?? used);
}

/**
 * What a window used, from its parts per usage shard: the shards `touched` (this batch wrote their
 * rollups) are re-read and their parts stored; every other shard's part is read as stored, and one
 * never stored (a new window or quota version) is computed from its rollups once. Exact: a shard's
 * rollups change only in the batches that carry its counters, and each such batch stores the
 * shard's part before summing, so the last batch to sum sees every part (the state keeps the
 * largest sum).
 */
async function usedFromParts(
  deps: Gateway,
  input: {
    quota: Quota;
    window: QuotaWindow;
    overlay?: Overlay | undefined;
    touched: ReadonlyArray<number | undefined>;
  },
): Promise<number> {
  const { quota, window } = input;
  const metric = metricOf(quota.quota_type);
  const recount = async (shard: number | undefined) => {
    const counted = await countedInWindow(deps, { quota, window, overlay: input.overlay, shards: [shard] });
    return storePart(deps, { quota, window, shard, used: amountOf(counted, metric) });
  };
  const parts: Parts = new Map();
  await Promise.all(
    usageShards().map(async (shard) => {
      if (input.touched.includes(shard)) {
        parts.set(shard, await recount(shard));
        return;
      }
      const stored = await deps.table.get(keys.quotaPart(quota.id, shard, window.id, quota.version));
      parts.set(shard, stored ? Number(stored.used) : await recount(shard));
    }),
  );
  let used = 0;
  for (const part of parts.values()) used += part;
  return used;
}

/**
 * Evaluates one quota over one window: reads what it used from the rollups, writes the state
 * (`ok`, `soft_exceeded`, `exceeded`) with the window's reset time, and emits one event when the
 * stored state differs from the last one announced, and one per threshold of
 * `thresholds_percent` first reached in the window. Idempotent: replaying it changes nothing.
 *
 * @param input.cause - what triggered it (a stream event id, `quota-change`), kept on the item.
 * @param input.overlay - rollups this invocation just wrote (read-your-writes over gsi1).
 * @param input.shards - the usage shards whose rollups the batch wrote: only those are re-read
 *   (the others' parts are read as stored); without it every shard is re-read.
 * @throws ServiceUnavailableError when the table throttles; EventPublishError when the bus refuses
 *   the event (the announcement is then released so that a retry announces it).
 */
export async function evaluateQuota(
  deps: Gateway,
  input: {
    quota: Quota;
    window: QuotaWindow;
    cause: string;
    overlay?: Overlay | undefined;
    shards?: ReadonlyArray<number | undefined> | undefined;
  },
): Promise<EvaluatedState> {
  const used = await usedFromParts(deps, { ...input, touched: input.shards ?? usageShards() });
  const limit = limitUnits(input.quota);
  const state = stateOf(used, limit, input.quota.soft_limit_percent);
  const item = await writeState(deps, { ...input, used, limit, state });
  await notifyCrossing(deps, { quota: input.quota, window: input.window, item });
  await notifyThresholds(deps, { quota: input.quota, window: input.window, item });
  return { state: item.state as QuotaState, used: Number(item.used), limit: Number(item.limit_units), item };
}

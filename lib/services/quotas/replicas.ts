import { describeError, logger } from '../../observability.js';
import { cached } from '../../runtime/cache.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys, QUOTA_READ_REPLICAS } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { isQuotaItem } from './mapper.js';

/**
 * Read replicas of the quota snapshot ({@link QUOTA_READ_REPLICAS}, docs/scale.md): each copy holds
 * every quota definition (`QUOTAS#R#<r>`) and every current window state (`QUOTA_STATES#<shard>#R#<r>`).
 * The primary items stay the truth (the API reads them; the enforcer evaluates them); copies are
 * written after them, each under a condition that a newer copy is never replaced by an older one,
 * so writers racing in any order leave the newest. A copy is read only once its replica carries
 * the mark of a completed reconciliation ({@link reconcileQuotaReplicas}), which copies what was
 * written before replicas existed (or by a writer that stopped between the primary and its copies).
 */

const REPLICAS = Array.from({ length: QUOTA_READ_REPLICAS }, (_, replica) => replica);

/**
 * How often a container that writes quotas or their states reconciles the replicas (and on its
 * first write): a copy lost to a crash between a write and its copies is repaired within this.
 */
const RECONCILE_MS = 10 * 60_000;

/** A deleted quota's copies become tombstones for this long (then expire). */
const TOMBSTONE_SECONDS = 24 * 3600;

/** The stored state is older than the one being written: less usage, or an older quota version. */
export const OLDER_STATE =
  'attribute_not_exists(pk) OR quota_version < :qv OR (quota_version = :qv AND used < :used)';

/** The values {@link OLDER_STATE} compares with. */
export const stateOrder = (state: Record<string, unknown>) => ({
  ':qv': finite(state.quota_version),
  ':used': finite(state.used),
});

const finite = (value: unknown) => (Number.isFinite(Number(value)) ? Number(value) : 0);

/** What a copy of a definition keeps: the quota's fields, without keys or actor bookkeeping. */
function definitionCopy(item: Item, replica: number): Item {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!/^(pk|sk|gsi\d+(pk|sk)|last_.*)$/.test(name)) copy[name] = value;
  }
  const id = String(item.id);
  return {
    ...copy,
    ...keys.quotaReplica(id, replica),
    ...keys.quotaReplicaIndex(replica, String(item.created_at), id),
  };
}

async function copyDefinition(deps: Gateway, item: Item, replica: number): Promise<void> {
  await deps.table.put(definitionCopy(item, replica), {
    condition: 'attribute_not_exists(pk) OR version < :v',
    values: { ':v': finite(item.version) },
  });
}

/**
 * A tombstone for a deleted quota's copy: out of every index (readers never see it) and at a
 * version above `version`, so no reconciliation that read the quota before its deletion brings
 * the copy back.
 */
async function retireCopy(deps: Gateway, quotaId: string, version: number, replica: number): Promise<void> {
  await deps.table.put(
    {
      ...keys.quotaReplica(quotaId, replica),
      entity: 'quota_tombstone',
      id: quotaId,
      version: version + 1,
      [TABLE_SCHEMA.ttlAttribute]: Math.floor(deps.now() / 1000) + TOMBSTONE_SECONDS,
    },
    { condition: 'attribute_not_exists(pk) OR version <= :v', values: { ':v': version } },
  );
}

async function copyState(deps: Gateway, state: Item, replica: number): Promise<void> {
  const quotaId = String(state.quota_id);
  const window = String(state.window);
  await deps.table.put(
    {
      ...keys.quotaStateReplica(quotaId, window, replica),
      ...keys.quotaStateReplicaIndex(window, quotaId, replica),
      entity: 'quota_state_copy',
      quota_id: quotaId,
      window,
      state: state.state,
      used: finite(state.used),
      quota_version: finite(state.quota_version),
      ...(state.resets_at === undefined ? {} : { resets_at: state.resets_at }),
      ...(state[TABLE_SCHEMA.ttlAttribute] === undefined
        ? {}
        : { [TABLE_SCHEMA.ttlAttribute]: state[TABLE_SCHEMA.ttlAttribute] }),
    },
    { condition: OLDER_STATE, values: stateOrder(state) },
  );
}

/** Writes a quota definition's copies (after the quota itself: created or changed). */
export async function replicateQuota(deps: Gateway, item: Item): Promise<void> {
  await Promise.all(REPLICAS.map((replica) => copyDefinition(deps, item, replica)));
}

/** Retires a deleted quota's copies (after the quota itself is deleted). */
export async function retireQuota(deps: Gateway, quotaId: string, version: number): Promise<void> {
  await Promise.all(REPLICAS.map((replica) => retireCopy(deps, quotaId, version, replica)));
}

/** Writes a window state's copies (after the state itself, as stored). */
export async function replicateState(deps: Gateway, state: Item): Promise<void> {
  await Promise.all(REPLICAS.map((replica) => copyState(deps, state, replica)));
}

/**
 * Makes every replica hold what the primary items hold, then marks it complete: copies every
 * quota whose copy is missing or older, retires copies whose quota is gone, and copies every state
 * of a window not yet ended (each under its condition: nothing newer is replaced). Each replica's
 * copies are read before the primary list, so a quota created meanwhile is in the list (copied)
 * and a copy without a quota in the list was deleted. Idempotent; safe beside any writer.
 */
export async function reconcileQuotaReplicas(deps: Gateway): Promise<void> {
  const copies = await Promise.all(
    REPLICAS.map((replica) =>
      deps.table.queryAll({ index: 'gsi2', partition: keys.quotaReplicasPartition(replica) }),
    ),
  );
  const [definitions, stateLists] = await Promise.all([
    deps.table.queryAll({ index: 'gsi2', partition: keys.quotasPartition() }),
    Promise.all(
      keys.quotaStatesPartitions().map((partition) => deps.table.queryAll({ index: 'gsi2', partition })),
    ),
  ]);
  const quotas = definitions.filter(isQuotaItem);
  const now = deps.now();
  const current = stateLists.flat().filter((s) => !(Date.parse(String(s.resets_at)) <= now));
  const live = new Set(quotas.map((q) => String(q.id)));
  await Promise.all(
    REPLICAS.map(async (replica) => {
      const held = copies[replica] ?? [];
      const version = new Map(held.filter(isQuotaItem).map((c) => [String(c.id), finite(c.version)]));
      await Promise.all([
        ...quotas
          .filter((q) => (version.get(String(q.id)) ?? 0) < finite(q.version))
          .map((q) => copyDefinition(deps, q, replica)),
        ...[...version].filter(([id]) => !live.has(id)).map(([id, v]) => retireCopy(deps, id, v, replica)),
        ...current.map((state) => copyState(deps, state, replica)),
      ]);
      if (!held.some(isReplicaMarker)) {
        await deps.table.put({
          ...keys.quotaReplicaMarker(replica),
          ...keys.quotaReplicaMarkerIndex(replica),
          entity: 'quota_replica_marker',
          marked_at: new Date(now).toISOString(),
        });
      }
    }),
  );
}

/** Whether an item of a replica's list is its completion mark. */
export const isReplicaMarker = (item: Item) => item.entity === 'quota_replica_marker';

/**
 * Reconciles the replicas on this container's first call and every {@link RECONCILE_MS} after
 * (quota writes and enforcer batches call it). A failure is logged, never the caller's: the
 * primary write stands, and the next call tries again.
 */
export async function keepQuotaReplicas(deps: Gateway): Promise<void> {
  try {
    await cached(deps, 'quota-replicas:reconciled', RECONCILE_MS, () => reconcileQuotaReplicas(deps));
  } catch (error) {
    logger.warn('quota read replicas not reconciled', { error: describeError(error) });
  }
}

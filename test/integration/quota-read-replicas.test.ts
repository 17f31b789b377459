/**
 * The request path's quota snapshot reads one of the quota read replicas (docs/scale.md): the
 * enforcer writes a state into its quota's shard and then into every replica, quota changes reach
 * every copy, and what earlier versions stored (no copies, states in the unsharded `QUOTA_STATES`
 * partition) is read from the primary partitions until a reconciliation copies it, then blocks as
 * before. A copy lost between a write and its copies, or left by a deleted quota, is repaired by the
 * next reconciliation.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { forgetQuotaCaches } from '../../lib/services/quotas/definitions.js';
import { quotaDecision } from '../../lib/services/quotas/index.js';
import { reconcileQuotaReplicas } from '../../lib/services/quotas/replicas.js';
import { recordUsage } from '../../lib/services/usage/record.js';
import { keys, QUOTA_READ_REPLICAS, QUOTA_STATE_SHARDS, shardOfId } from '../../lib/store/keys.js';
import { createQuota, startUsageGateway, type UsageGateway, usageEvent } from './usage-fixtures.js';

const T0 = Date.parse('2031-06-01T13:20:00.000Z');
const DAY = '2031-06-01';
const REPLICAS = Array.from({ length: QUOTA_READ_REPLICAS }, (_, r) => r);
const call = { modelId: 'm-s', apiKeyId: 'key_test' };

let t: UsageGateway;

const blockingQuota = (providerId: string, limit = 1) =>
  createQuota(t, {
    provider_id: providerId,
    scope: 'provider',
    quota_type: 'daily_cost',
    limit_value: limit,
    action_on_exceed: 'block',
  });

/** 2 USD of usage on the provider (1 USD per million input tokens), evaluated by the enforcer. */
async function spendTwoDollars(providerId: string) {
  await recordUsage(
    t.deps,
    usageEvent({
      at: t.clock.now(),
      providerId,
      modelId: 'm-s',
      usage: { input_tokens: 2_000_000, output_tokens: 0, cached_input_tokens: 0 },
    }),
  );
  await t.settle();
}

/** The decision of `tries` fresh snapshots (each reads a replica chosen at random). */
async function decisions(providerId: string, tries = 24) {
  const out = [];
  for (let i = 0; i < tries; i++) {
    forgetQuotaCaches(t.deps);
    out.push(await quotaDecision(t.deps, { ...call, providerId }));
  }
  return out;
}

/** Removes every copy and mark, as a gateway of an earlier version left the table. */
async function asEarlierVersionsStored(quotaIds: string[]) {
  for (const replica of REPLICAS) {
    await t.deps.table.delete(keys.quotaReplicaMarker(replica));
    for (const id of quotaIds) {
      await t.deps.table.delete(keys.quotaReplica(id, replica));
      await t.deps.table.delete(keys.quotaStateReplica(id, DAY, replica));
    }
  }
}

/** The quota partitions (`QUOTAS…`, `QUOTA_STATES…`) `run` queried, in order. */
async function partitionsQueried(run: () => Promise<void>): Promise<string[]> {
  const queried: string[] = [];
  const original = t.deps.table.queryAll.bind(t.deps.table);
  const spy = vi.spyOn(t.deps.table, 'queryAll').mockImplementation((request, ...rest) => {
    if (/^QUOTA(S|_STATES)/.test(request.partition)) queried.push(request.partition);
    return original(request, ...rest);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return queried;
}

/** A partition of the primary layout (the API's list, the enforcer's states, earlier versions'). */
const isPrimary = (partition: string) =>
  partition === keys.quotasPartition() || /^QUOTA_STATES(#\d+)?$/.test(partition);

async function provider(name: string) {
  const id = await t.provider(name);
  await t.model(id, {
    model_id: 'm-s',
    model_type: 'llm',
    pricing: { input_per_1m: 1, effective_from: '2031-01-01T00:00:00Z' },
  });
  return id;
}

beforeAll(async () => {
  t = await startUsageGateway(T0);
});
afterAll(() => t.stop());

describe('quota states in shards', () => {
  it('spreads quota ids over every shard, each id always on the same one', () => {
    const shards = new Set(
      Array.from({ length: 1000 }, (_, i) => shardOfId(`quota_${i}`, QUOTA_STATE_SHARDS)),
    );
    expect(shards.size).toBe(QUOTA_STATE_SHARDS);
    expect(shardOfId('quota_x', QUOTA_STATE_SHARDS)).toBe(shardOfId('quota_x', QUOTA_STATE_SHARDS));
    expect(keys.quotaStateIndex(DAY, 'quota_x').gsi2pk).toBe(
      keys.quotaStatesPartition(shardOfId('quota_x', QUOTA_STATE_SHARDS)),
    );
  });
});

describe('quota read replicas', () => {
  it('copies a crossing into every replica, and a refresh reads one replica: 1 + 16 queries, no primary partition', async () => {
    const live = await provider('replicas-live');
    const quotaId = await blockingQuota(live);
    await spendTwoDollars(live);
    const state = await t.deps.table.get(keys.quotaState(quotaId, DAY));
    const shard = shardOfId(quotaId, QUOTA_STATE_SHARDS);
    expect(state).toMatchObject({ state: 'exceeded', gsi2pk: keys.quotaStatesPartition(shard) });
    for (const replica of REPLICAS) {
      expect(await t.deps.table.get(keys.quotaStateReplica(quotaId, DAY, replica))).toMatchObject({
        state: 'exceeded',
        used: state?.used,
        gsi2pk: keys.quotaStateReplicaPartition(shard, replica),
      });
      expect(await t.deps.table.get(keys.quotaReplica(quotaId, replica))).toMatchObject({
        id: quotaId,
        version: 1,
        limit_value: 1,
      });
    }

    const queried = await partitionsQueried(async () => {
      const seen = await decisions(live);
      expect(seen.every((d) => d.action === 'block' && d.quotaId === quotaId)).toBe(true);
    });
    // Every refresh: one replica's quota list and its 16 state shards, nothing primary.
    expect(queried).toHaveLength(24 * (1 + QUOTA_STATE_SHARDS));
    expect(queried.filter(isPrimary)).toEqual([]);
    const replicasRead = new Set(queried.filter((p) => p.startsWith('QUOTAS#R#')));
    expect(replicasRead.size).toBeGreaterThan(1);
  });

  it('reads what earlier versions stored from the primary partitions, then from the copies a reconciliation makes', async () => {
    const legacy = await provider('replicas-legacy');
    const quotaId = await blockingQuota(legacy);
    // As versions before the shards and replicas stored it: the state in `QUOTA_STATES`, no copies.
    await t.deps.table.put({
      ...keys.quotaState(quotaId, DAY),
      entity: 'quota_state',
      quota_id: quotaId,
      window: DAY,
      state: 'exceeded',
      used: 2_000_000_000,
      quota_version: 1,
      resets_at: '2031-06-02T00:00:00.000Z',
      gsi2pk: keys.quotaStatesPartition(),
      gsi2sk: keys.quotaStateIndex(DAY, quotaId).gsi2sk,
    });
    await asEarlierVersionsStored([quotaId]);
    expect((await decisions(legacy, 8)).every((d) => d.action === 'block')).toBe(true);

    await reconcileQuotaReplicas(t.deps);
    for (const replica of REPLICAS) {
      expect(await t.deps.table.get(keys.quotaReplicaMarker(replica))).toBeDefined();
      expect(await t.deps.table.get(keys.quotaStateReplica(quotaId, DAY, replica))).toMatchObject({
        state: 'exceeded',
      });
    }
    const queried = await partitionsQueried(async () => {
      const seen = await decisions(legacy);
      expect(seen.every((d) => d.action === 'block' && d.quotaId === quotaId)).toBe(true);
    });
    expect(queried.filter(isPrimary)).toEqual([]);
  });

  it('carries a PATCH to every copy, and a deleted quota stops blocking on every replica', async () => {
    const patched = await provider('replicas-patch');
    const quotaId = await blockingQuota(patched);
    await spendTwoDollars(patched);
    expect((await decisions(patched, 8)).every((d) => d.action === 'block')).toBe(true);
    // Raise the limit above the spend: the re-evaluated state (ok) and version 2 reach every copy.
    const res = await t.gw.call('PATCH', `/api/quotas/${quotaId}`, { body: { limit_value: 5, version: 1 } });
    expect(res.status).toBe(200);
    for (const replica of REPLICAS) {
      expect(await t.deps.table.get(keys.quotaReplica(quotaId, replica))).toMatchObject({
        version: 2,
        limit_value: 5,
      });
      expect(await t.deps.table.get(keys.quotaStateReplica(quotaId, DAY, replica))).toMatchObject({
        state: 'ok',
        quota_version: 2,
      });
    }
    expect((await decisions(patched)).every((d) => d.action === 'allow')).toBe(true);
    // Lower it again, then delete the quota: blocked, then allowed on every replica.
    await t.gw.call('PATCH', `/api/quotas/${quotaId}`, { body: { limit_value: 1, version: 2 } });
    expect((await decisions(patched)).every((d) => d.action === 'block')).toBe(true);
    expect((await t.gw.call('DELETE', `/api/quotas/${quotaId}`)).status).toBe(204);
    for (const replica of REPLICAS) {
      expect(await t.deps.table.get(keys.quotaReplica(quotaId, replica))).toMatchObject({
        entity: 'quota_tombstone',
      });
    }
    expect((await decisions(patched)).every((d) => d.action === 'allow')).toBe(true);
    // A reconciliation never brings a deleted quota's copies back.
    await reconcileQuotaReplicas(t.deps);
    expect((await decisions(patched)).every((d) => d.action === 'allow')).toBe(true);
  });

  it('repairs copies lost between a write and its copies, and retires copies of a quota deleted meanwhile', async () => {
    const lost = await provider('replicas-lost');
    const gone = await provider('replicas-gone');
    const lostQuota = await blockingQuota(lost);
    const goneQuota = await blockingQuota(gone);
    await spendTwoDollars(lost);
    await spendTwoDollars(gone);
    // A writer stopped after the state and after replica 0's copies: the others say nothing.
    for (const replica of REPLICAS.slice(1)) {
      await t.deps.table.delete(keys.quotaStateReplica(lostQuota, DAY, replica));
      await t.deps.table.delete(keys.quotaReplica(lostQuota, replica));
    }
    // A delete that stopped after the quota itself: its copies still block (the safe side).
    await t.deps.table.delete(keys.quota(goneQuota));
    expect((await decisions(gone, 8)).every((d) => d.action === 'block')).toBe(true);

    await reconcileQuotaReplicas(t.deps);
    expect((await decisions(lost)).every((d) => d.action === 'block' && d.quotaId === lostQuota)).toBe(true);
    expect((await decisions(gone)).every((d) => d.action === 'allow')).toBe(true);
  });
});

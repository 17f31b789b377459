/**
 * Quota states in sharded gsi2 partitions: the enforcer writes a state into its quota's shard, the
 * request path reads every shard, and a state written before the shards (the one `QUOTA_STATES`
 * partition) still blocks until its quota is next evaluated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaDecision } from '../../lib/services/quotas/index.js';
import { recordUsage } from '../../lib/services/usage/record.js';
import { keys, QUOTA_STATE_SHARDS, shardOfId } from '../../lib/store/keys.js';
import { createQuota, startUsageGateway, type UsageGateway, usageEvent } from './usage-fixtures.js';

const T0 = Date.parse('2031-06-01T13:20:00.000Z');
const DAY = '2031-06-01';

let t: UsageGateway;
let live: string;
let legacy: string;

const blockingQuota = (providerId: string) =>
  createQuota(t, {
    provider_id: providerId,
    scope: 'provider',
    quota_type: 'daily_cost',
    limit_value: 1,
    action_on_exceed: 'block',
  });

beforeAll(async () => {
  t = await startUsageGateway(T0);
  [live, legacy] = [await t.provider('states-live'), await t.provider('states-legacy')];
  const pricing = { input_per_1m: 1, effective_from: '2031-01-01T00:00:00Z' };
  await t.model(live, { model_id: 'm-s', model_type: 'llm', pricing });
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

  it('blocks on a state the enforcer wrote into its shard, and on a state of the unsharded partition', async () => {
    const liveQuota = await blockingQuota(live);
    const legacyQuota = await blockingQuota(legacy);
    // Live: 2 USD of usage against a 1 USD daily quota, evaluated by the stream consumer.
    await recordUsage(
      t.deps,
      usageEvent({
        at: t.clock.now(),
        providerId: live,
        modelId: 'm-s',
        usage: { input_tokens: 2_000_000, output_tokens: 0, cached_input_tokens: 0 },
      }),
    );
    await t.settle();
    const state = await t.deps.table.get(keys.quotaState(liveQuota, DAY));
    expect(state).toMatchObject({
      state: 'exceeded',
      gsi2pk: keys.quotaStatesPartition(shardOfId(liveQuota, QUOTA_STATE_SHARDS)),
    });
    // Legacy: a state as versions before the shards stored it.
    await t.deps.table.put({
      ...keys.quotaState(legacyQuota, DAY),
      entity: 'quota_state',
      quota_id: legacyQuota,
      window: DAY,
      state: 'exceeded',
      used: 2_000_000_000,
      gsi2pk: keys.quotaStatesPartition(),
      gsi2sk: keys.quotaStateIndex(DAY, legacyQuota).gsi2sk,
    });
    const call = { modelId: 'm-s', apiKeyId: 'key_test' };
    expect(await quotaDecision(t.deps, { ...call, providerId: live })).toMatchObject({
      action: 'block',
      quotaId: liveQuota,
    });
    expect(await quotaDecision(t.deps, { ...call, providerId: legacy })).toMatchObject({
      action: 'block',
      quotaId: legacyQuota,
    });
  });
});

/**
 * Usage counters in sharded partitions: many writers (Lambda containers) writing one counter at
 * once land on their own home shards, every amount is counted once in the reports and the quota,
 * and usage stored by versions before the shards (one partition per provider) still counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CounterBatch, writeCounterBatch } from '../../lib/services/usage/counter-batch.js';
import { zeroCounters } from '../../lib/services/usage/counters.js';
import { writerShard } from '../../lib/services/usage/shards.js';
import { keys } from '../../lib/store/keys.js';
import { createQuota, startUsageGateway, type UsageGateway, usageItems } from './usage-fixtures.js';

const T0 = Date.parse('2031-06-01T13:20:00.000Z');
const HOUR = '2031-06-01T13';
const DIME = 100_000_000;
const WRITERS = 24;
const BATCHES = 5;

let t: UsageGateway;
let providerId: string;
let quotaId: string;

function batch(input: { writer: string; seq: number; requests: number; sharded: boolean }): CounterBatch {
  return {
    providerId,
    modelId: 'm-shards',
    apiKeyId: 'key_hot',
    teamId: 'team_hot',
    serviceType: 'llm',
    hour: HOUR,
    writer: input.writer,
    seq: input.seq,
    shard: input.sharded ? writerShard(input.writer, 1, 0) : 0,
    ...(input.sharded ? { sharded: true } : {}),
    add: { ...zeroCounters(), requests: input.requests, input_tokens: 7 * input.requests, cost_nanos: DIME },
    ttl: Math.floor(T0 / 1000) + 86_400,
    events: [],
  };
}

beforeAll(async () => {
  t = await startUsageGateway(T0);
  providerId = await t.provider('shards');
  quotaId = await createQuota(t, {
    provider_id: providerId,
    scope: 'provider',
    quota_type: 'daily_cost',
    limit_value: 1000,
  });
  // Earlier versions: two batches of one writer on the unsharded partition.
  await writeCounterBatch(t.deps, batch({ writer: 'legacy000001', seq: 1, requests: 2, sharded: false }));
  await writeCounterBatch(t.deps, batch({ writer: 'legacy000001', seq: 2, requests: 3, sharded: false }));
  // Now: 24 writers, 5 batches each, all at once (one writer's batches in order, as a writer sends them).
  const writers = Array.from({ length: WRITERS }, (_, i) => `w${String(i).padStart(11, '0')}`);
  await Promise.all(
    writers.map(async (writer) => {
      for (let seq = 1; seq <= BATCHES; seq++) {
        await writeCounterBatch(t.deps, batch({ writer, seq, requests: seq, sharded: true }));
      }
      // A retry of a batch that had landed (an ambiguous failure) changes nothing.
      expect(
        await writeCounterBatch(t.deps, batch({ writer, seq: BATCHES, requests: BATCHES, sharded: true })),
      ).toBe('duplicate');
    }),
  );
  await t.settle();
}, 60_000);

afterAll(() => t.stop());

const SHARDED_REQUESTS = WRITERS * ((BATCHES * (BATCHES + 1)) / 2);
const ALL_REQUESTS = SHARDED_REQUESTS + 5;
const ALL_BATCHES = WRITERS * BATCHES + 2;

describe('usage shards', () => {
  it('stores each writer on its home shard: counters spread over many partitions, each with few writers', async () => {
    const counters = await usageItems(t.deps, providerId, 'H');
    const partitions = new Set(counters.map((c) => String(c.pk)));
    expect(partitions.has(keys.usagePartition(providerId, undefined))).toBe(true);
    // 24 writers hashed over 128 shards: very unlikely to share much.
    expect(partitions.size).toBeGreaterThan(12);
    for (const c of counters) {
      const marks = Object.keys(c).filter((name) => name.startsWith('w_'));
      expect(marks.length).toBeLessThan(6);
    }
    expect(counters.reduce((sum, c) => sum + Number(c.requests), 0)).toBe(ALL_REQUESTS);
  });

  it('reports every amount once, old partition and shards together, by hour, day and month', async () => {
    for (const granularity of ['hour', 'day', 'month']) {
      const res = await t.gw.call(
        'GET',
        `/api/providers/${providerId}/usage?granularity=${granularity}&start_date=2031-06-01&end_date=2031-06-01`,
      );
      expect(res.status, res.text).toBe(200);
      expect(res.json.totals).toMatchObject({ requests: ALL_REQUESTS, input_tokens: 7 * ALL_REQUESTS });
    }
    const across = await t.gw.call(
      'GET',
      '/api/usage?granularity=day&start_date=2031-06-01&end_date=2031-06-01&group_by=provider',
    );
    expect(across.status, across.text).toBe(200);
    // Across providers (gsi1, every shard's partition): this provider's row holds every amount once.
    const mine = across.json.series.filter((r: { group: string }) => r.group === providerId);
    expect(mine).toHaveLength(1);
    expect(mine[0].requests).toBe(ALL_REQUESTS);
  });

  it('counts every shard in the quota', async () => {
    const state = await t.deps.table.get(keys.quotaState(quotaId, '2031-06-01'));
    expect(state).toMatchObject({ used: ALL_BATCHES * DIME });
  });
});

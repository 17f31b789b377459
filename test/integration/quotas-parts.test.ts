import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enforceQuotas } from '../../lib/services/quotas/enforcer.js';
import { keys } from '../../lib/store/keys.js';
import { hourlyCounterRecord, startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-07-01T13:00:00.000Z');
const HOUR = '2031-07-01T13';

let t: UsageGateway;
let provider: string;
let quotaId: string;
let seq = 0;

/** A batch of one hourly counter change: `requests` so far on `apiKeyId`'s counter in `shard`. */
const change = (apiKeyId: string, shard: number, requests: number) =>
  hourlyCounterRecord({
    providerId: provider,
    hour: HOUR,
    apiKeyId,
    requests,
    nanosPerCall: 1,
    seq: ++seq,
    shard,
  });

/** The quota state of the current day window, as stored. */
async function used(): Promise<number> {
  const states = await t.deps.table.queryAll({ partition: keys.quota(quotaId).pk, skPrefix: 'STATE' });
  expect(states).toHaveLength(1);
  return Number(states[0]!.used);
}

/** Runs one enforcer batch and counts the DynamoDB queries it made. */
async function batch(records: ReturnType<typeof change>[]) {
  let queries = 0;
  const stop = t.deps.table.observe((operation) => {
    if (operation === 'Query') queries++;
  });
  try {
    const out = await enforceQuotas(t.deps, records);
    expect(out.batchItemFailures).toEqual([]);
  } finally {
    stop();
  }
  return { queries };
}

beforeAll(async () => {
  t = await startUsageGateway(T0);
  provider = await t.provider('parts-provider');
  const res = await t.gw.call('POST', '/api/quotas', {
    body: { provider_id: provider, scope: 'provider', quota_type: 'daily_requests', limit_value: 1_000 },
  });
  expect(res.status).toBe(201);
  quotaId = res.json.id;
});
afterAll(async () => {
  await t.stop();
});

describe('quota enforcer: a window is summed from its parts per usage shard', () => {
  it('counts exactly across shards and batches, re-reading only the shards a batch touched', async () => {
    // Act + assess: each batch moves one counter in one shard
    await batch([change('key_a', 3, 5)]);
    expect(await used()).toBe(5);
    await batch([change('key_b', 7, 2)]);
    expect(await used()).toBe(7);
    const steady = await batch([change('key_a', 3, 9)]);
    expect(await used()).toBe(11);
    // Shard 3's rollups only (one query; the quotas of the scope are cached), not every shard's
    expect(steady.queries).toBeLessThanOrEqual(2);
    // Two counters of two shards in one batch
    await batch([change('key_b', 7, 4), change('key_c', 100, 1)]);
    expect(await used()).toBe(14);
  });

  it('leaves the state unchanged when a batch is replayed or arrives out of order', async () => {
    const before = await used();
    await batch([change('key_a', 3, 9), change('key_b', 7, 3)]); // older states than stored
    await batch([change('key_c', 100, 1)]); // the same state again
    expect(await used()).toBe(before);
  });
});

import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enforceQuotas } from '../../lib/services/quotas/enforcer.js';
import { QUOTA_EVENT } from '../../lib/services/quotas/notify.js';
import { recordUsage } from '../../lib/services/usage/record.js';
import { keys } from '../../lib/store/keys.js';
import { keyOf, mockStore, throttlingError } from '../support/store.js';
import {
  hourlyCounterRecord,
  startUsageGateway,
  type UsageGateway,
  usageEvent,
  usageItems,
} from './usage-fixtures.js';

const T0 = Date.parse('2031-06-01T13:00:00.000Z');
const DIME = 100_000_000;

let t: UsageGateway;
let live: string; // a provider whose records come from real usage
let synthetic: string; // a provider whose records the test builds
let liveQuota: string;
let syntheticQuota: string;
const captured: DynamoDBRecord[] = [];

/** A stream record of an hourly counter of the synthetic provider, at 13:00 of the test's day. */
const hourlyRecord = (input: { apiKeyId: string; requests: number; seq: number; poison?: boolean }) =>
  hourlyCounterRecord({ ...input, providerId: synthetic, hour: '2031-06-01T13', nanosPerCall: DIME });

/** Everything the enforcer writes for a provider and a quota, and the events it sent. */
async function snapshot(providerId: string, quotaId: string) {
  const rollups = [
    ...(await usageItems(t.deps, providerId, 'D')),
    ...(await usageItems(t.deps, providerId, 'M')),
  ];
  const states = await t.deps.table.queryAll({ partition: keys.quota(quotaId).pk });
  const events = t.events
    .published()
    .filter((e) => e.type === QUOTA_EVENT && e.detail.quota_id === quotaId).length;
  return JSON.stringify({ rollups: rollups.filter((i) => !String(i.sk).startsWith('H')), states, events });
}

async function quota(providerId: string, limit: number): Promise<string> {
  const res = await t.gw.call('POST', '/api/quotas', {
    body: { provider_id: providerId, scope: 'provider', quota_type: 'daily_cost', limit_value: limit },
  });
  expect(res.status).toBe(201);
  return res.json.id;
}

beforeAll(async () => {
  t = await startUsageGateway(T0);
  live = await t.provider('enforcer-live');
  synthetic = await t.provider('enforcer-synthetic');
  await t.model(live, {
    model_id: 'm-1',
    model_type: 'llm',
    pricing: { input_per_1m: 1, effective_from: '2031-01-01T00:00:00Z' },
  });
  liveQuota = await quota(live, 1);
  syntheticQuota = await quota(synthetic, 1);
  t.gw.runtime.streams?.onRecord((r) => {
    // Every usage shard of the provider: its counters' images name it.
    const hourly = r.dynamodb?.Keys?.sk?.S?.startsWith(keys.usageHourlySkPrefix());
    if (hourly && r.dynamodb?.NewImage?.provider_id?.S === live) captured.push(r);
  });
  for (let i = 0; i < 12; i++) {
    const usage = { input_tokens: 100_000, output_tokens: 0, cached_input_tokens: 0 };
    await recordUsage(
      t.deps,
      usageEvent({ at: t.clock.now(), providerId: live, modelId: 'm-1', apiKeyId: `key_${i % 3}`, usage }),
    );
  }
  await t.settle();
});

afterAll(async () => {
  await t.stop();
});

describe('quota enforcer: a stream consumer that replays safely', () => {
  it('processed the live records: exceeded, with one event per state change', async () => {
    expect(captured).toHaveLength(12);
    expect(await t.deps.table.get(keys.quotaState(liveQuota, '2031-06-01'))).toMatchObject({
      state: 'exceeded',
      used: 12 * DIME,
    });
    const events = t.events
      .published()
      .filter((e) => e.type === QUOTA_EVENT && e.detail.quota_id === liveQuota);
    // Batches may carry the usage past both thresholds at once: one event per change, never repeated.
    const states = events.map((e) => e.detail.state);
    expect(states.at(-1)).toBe('exceeded');
    expect(new Set(states).size).toBe(states.length);
  });

  it('leaves the same state when the batch is replayed three times, in order or reversed', async () => {
    const before = await snapshot(live, liveQuota);
    for (let i = 0; i < 3; i++)
      expect(await enforceQuotas(t.deps, captured)).toEqual({ batchItemFailures: [] });
    expect(await enforceQuotas(t.deps, [...captured].reverse())).toEqual({ batchItemFailures: [] });
    expect(await snapshot(live, liveQuota)).toBe(before);
  });

  it('reports only a poison record; the rest of the batch is applied', async () => {
    const batch = [
      hourlyRecord({ apiKeyId: 'key_a', requests: 1, seq: 1 }),
      hourlyRecord({ apiKeyId: 'key_a', requests: 2, seq: 2 }),
      hourlyRecord({ apiKeyId: 'key_b', requests: 9, seq: 3, poison: true }),
      hourlyRecord({ apiKeyId: 'key_b', requests: 3, seq: 4 }),
      {
        ...hourlyRecord({ apiKeyId: 'key_c', requests: 1, seq: 5 }),
        dynamodb: {
          ...hourlyRecord({ apiKeyId: 'key_c', requests: 1, seq: 5 }).dynamodb,
          NewImage: undefined,
        },
      },
    ] as DynamoDBRecord[];
    const response = await enforceQuotas(t.deps, batch);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: batch[2]!.dynamodb!.SequenceNumber },
      { itemIdentifier: batch[4]!.dynamodb!.SequenceNumber },
    ]);
    const state = await t.deps.table.get(keys.quotaState(syntheticQuota, '2031-06-01'));
    expect(state).toMatchObject({ used: 5 * DIME, state: 'ok' }); // key_a: 2 calls, key_b: 3 calls
    const before = await snapshot(synthetic, syntheticQuota);
    for (let i = 0; i < 3; i++) await enforceQuotas(t.deps, batch);
    expect(await snapshot(synthetic, syntheticQuota)).toBe(before);
  });

  it('reports the first record of a scope whose evaluation failed, and heals on the retry', async () => {
    const batch = [
      hourlyRecord({ apiKeyId: 'key_a', requests: 5, seq: 10 }),
      hourlyRecord({ apiKeyId: 'key_b', requests: 4, seq: 11 }),
    ];
    // DynamoDB throttles the writes of the synthetic quota's window state.
    const store = mockStore();
    store.failWhen((command) => {
      const key = keyOf(command);
      return key.pk === `QUOTA#${syntheticQuota}` && Boolean(key.sk?.startsWith('STATE#'));
    }, throttlingError());
    try {
      const response = await enforceQuotas(t.deps, batch);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: batch[0]!.dynamodb!.SequenceNumber }]);
    } finally {
      store.restore();
    }
    expect(await enforceQuotas(t.deps, batch)).toEqual({ batchItemFailures: [] });
    expect(await t.deps.table.get(keys.quotaState(syntheticQuota, '2031-06-01'))).toMatchObject({
      used: 9 * DIME,
      state: 'soft_exceeded',
    });
  });
});

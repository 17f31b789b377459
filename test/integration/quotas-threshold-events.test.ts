/**
 * `thresholds_percent`: one `quota.threshold_crossed` event per threshold crossed per window, also
 * when two quota enforcers (two Lambda instances of the stream consumer) process the same batch at
 * the same time, and when batches are replayed. The quota is a team quota, so the enforcer finds it
 * through the team's scope on the hourly counters the test hands it.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../lib/events/bus.js';
import { LocalEventBus } from '../../lib/events/local.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { enforceQuotas } from '../../lib/services/quotas/enforcer.js';
import { THRESHOLD_EVENT } from '../../lib/services/quotas/thresholds.js';
import { keys } from '../../lib/store/keys.js';
import { siblingOf } from '../support/instances.js';
import { hourlyCounterRecord, startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-09-10T15:00:00.000Z');
const DIME = 100_000_000; // $0.10 in nano-USD
const PROVIDER = 'prov_01m8bwjkr672zknf0jar5m8r48';

let t: UsageGateway;
let rival: Gateway;
let teamId: string;
let quotaId: string;
let seq = 0;

/** The stream record of one hourly counter of the team's key after `requests` calls of $0.10 each. */
function hourly(hour: string, requests: number): DynamoDBRecord {
  seq++;
  return hourlyCounterRecord({
    providerId: PROVIDER,
    hour,
    apiKeyId: 'key_member',
    teamId,
    requests,
    nanosPerCall: DIME,
    seq,
  });
}

/** Threshold events of the quota, from both enforcers' buses, as `<window>:<threshold>`. */
function announced(): string[] {
  const buses = [t.deps.events, rival.events] as LocalEventBus[];
  return buses
    .flatMap((bus) => bus.published() as GatewayEvent[])
    .filter((e) => e.type === THRESHOLD_EVENT && e.detail.quota_id === quotaId)
    .map((e) => `${e.detail.window}:${e.detail.threshold_percent}`)
    .sort();
}

/** Both enforcers take the same batch at the same time; neither reports a failure. */
async function race(batch: DynamoDBRecord[]): Promise<void> {
  const results = await Promise.all([enforceQuotas(t.deps, batch), enforceQuotas(rival, batch)]);
  for (const result of results) expect(result).toEqual({ batchItemFailures: [] });
}

beforeAll(async () => {
  t = await startUsageGateway(T0);
  rival = siblingOf(t.deps);
  if (!(rival.events instanceof LocalEventBus)) throw new Error('a sibling has its own local bus');
  const team = await t.gw.call('POST', '/api/teams', { body: { name: 'Thresholds' } });
  teamId = team.json.id;
  const quota = await t.gw.call('POST', '/api/quotas', {
    body: {
      scope: 'team',
      team_id: teamId,
      quota_type: 'daily_cost',
      limit_value: 1,
      action_on_exceed: 'notify',
      thresholds_percent: [80, 50, 100],
    },
  });
  expect(quota.status, quota.text).toBe(201);
  expect(quota.json.thresholds_percent).toEqual([50, 80, 100]);
  quotaId = quota.json.id;
});
afterAll(async () => {
  await t.stop();
});

describe('quota thresholds: one event per crossing per window, whatever races', () => {
  it('announces 50 % once when two enforcers cross it together, and not again on replays', async () => {
    const batch = [hourly('2031-09-10T15', 3), hourly('2031-09-10T15', 6)];
    await race(batch);
    expect(announced()).toEqual(['2031-09-10:50']);
    await race(batch);
    await race([...batch].reverse());
    expect(announced()).toEqual(['2031-09-10:50']);
    const state = await t.deps.table.get(keys.quotaState(quotaId, '2031-09-10'));
    expect(state).toMatchObject({ used: 6 * DIME, percent: 60 });
  });

  it('announces each later threshold once, and both when one batch crosses two', async () => {
    await race([hourly('2031-09-10T15', 8)]);
    expect(announced()).toEqual(['2031-09-10:50', '2031-09-10:80']);
    await race([hourly('2031-09-10T16', 3)]); // 8 + 3 calls: past 100 %
    expect(announced()).toEqual(['2031-09-10:100', '2031-09-10:50', '2031-09-10:80']);
    await race([hourly('2031-09-10T16', 4)]);
    expect(announced()).toHaveLength(3);
  });

  it('starts over in the next window', async () => {
    await race([hourly('2031-09-11T09', 9)]);
    expect(announced().filter((a) => a.startsWith('2031-09-11'))).toEqual(['2031-09-11:50', '2031-09-11:80']);
    const event = [
      ...(t.deps.events as LocalEventBus).published(),
      ...(rival.events as LocalEventBus).published(),
    ]
      .filter((e) => e.type === THRESHOLD_EVENT && e.detail.window === '2031-09-11')
      .find((e) => e.detail.threshold_percent === 80);
    expect(event?.detail).toMatchObject({
      quota_id: quotaId,
      scope: 'team',
      team_id: teamId,
      unit: 'usd',
      used: 0.9,
      limit: 1,
      resets_at: '2031-09-12T00:00:00.000Z',
    });
  });
});

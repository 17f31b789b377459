/**
 * Quota windows in a time zone, on a clock the test moves by hand (it stands still between moves,
 * so a window edge is hit to the millisecond). New York moves to daylight saving time on Sunday
 * 9 March 2031 (02:00 EST → 03:00 EDT): that local day lasts 23 hours, from 05:00Z to 04:00Z.
 * Every figure comes from `GET /api/quotas/{id}/status` (computed from the rollups) or from real
 * calls refused and admitted by a strict quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { recordUsage } from '../../lib/services/usage/record.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { usageEvent } from './usage-fixtures.js';

const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso);
const clock = new TestClock(at('2031-03-01T04:30:00Z'));
let gw: TestGateway;
let deps: Gateway;
let provider: string;
const quotas: Record<string, string> = {};

async function quota(body: Record<string, unknown>): Promise<string> {
  const res = await gw.call('POST', '/api/quotas', {
    body: { scope: 'provider', provider_id: provider, limit_value: 100, time_zone: NY, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

const status = async (name: string) => (await gw.call('GET', `/api/quotas/${quotas[name]}/status`)).json;

/** One call at the clock's current instant, rolled up before the next step. */
async function call(): Promise<void> {
  await recordUsage(deps, usageEvent({ at: clock.now(), providerId: provider, modelId: 'tz-chat' }));
  await gw.runtime.streams!.idle();
}

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' }, { now: clock.now });
  deps = gw.runtime.deps;
  provider = (
    await gw.call('POST', '/api/providers', {
      body: { name: 'tz-mock', provider_type: 'mock', service_types: ['llm'] },
    })
  ).json.id;
  await gw.call('POST', `/api/providers/${provider}/models`, {
    body: { model_id: 'tz-chat', model_type: 'llm' },
  });
  for (const kind of ['hourly', 'daily', 'weekly', 'monthly', 'yearly'])
    quotas[kind] = await quota({ quota_type: `${kind}_requests` });
  quotas.utcDaily = await quota({ quota_type: 'daily_requests', time_zone: 'UTC' });
});
afterAll(async () => {
  await gw.stop();
});

describe('quota windows: local midnight in a time zone, across daylight saving', () => {
  it('counts a month from local midnight of its first day, not from UTC midnight', async () => {
    await call(); // 2031-03-01T04:30Z: still 28 February in New York
    expect(await status('monthly')).toMatchObject({
      window: '2031-02',
      window_start: '2031-02-01T05:00:00.000Z',
      resets_at: '2031-03-01T05:00:00.000Z',
      used: 1,
    });
    clock.set(at('2031-03-01T05:30:00Z')); // 00:30 on 1 March in New York
    await call();
    expect(await status('monthly')).toMatchObject({
      window: '2031-03',
      time_zone: NY,
      window_start: '2031-03-01T05:00:00.000Z',
      // April starts under daylight saving time: local midnight is 04:00Z.
      resets_at: '2031-04-01T04:00:00.000Z',
      used: 1,
      remaining: 99,
    });
    expect(await status('yearly')).toMatchObject({ window: '2031', used: 2 });
  });

  it('resets a daily window exactly at local midnight, and says when', async () => {
    clock.set(at('2031-03-09T04:30:00Z')); // 23:30 on Saturday 8 March, EST
    await call();
    expect(await status('daily')).toMatchObject({
      window: '2031-03-08',
      resets_at: '2031-03-09T05:00:00.000Z',
      used: 1,
    });
    clock.set(at('2031-03-09T04:59:59.999Z'));
    expect(await status('daily')).toMatchObject({ window: '2031-03-08', used: 1 });
    clock.set(at('2031-03-09T05:00:00.000Z')); // midnight in New York
    expect(await status('daily')).toMatchObject({
      window: '2031-03-09',
      window_start: '2031-03-09T05:00:00.000Z',
      // The daylight-saving day is 23 hours long.
      resets_at: '2031-03-10T04:00:00.000Z',
      used: 0,
      state: 'ok',
    });
    // The UTC quota of the same calls resets at UTC midnight instead.
    expect(await status('utcDaily')).toMatchObject({ window: '2031-03-09', used: 1 });
  });

  it('counts the whole 23-hour day, and only it', async () => {
    await call(); // 00:00 EST, 9 March
    clock.set(at('2031-03-10T03:59:59.000Z')); // 23:59:59 EDT, 9 March
    await call();
    expect(await status('daily')).toMatchObject({ window: '2031-03-09', used: 2 });
    expect(await status('hourly')).toMatchObject({
      window: '2031-03-10T03',
      resets_at: '2031-03-10T04:00:00.000Z',
      used: 1,
    });
    clock.set(at('2031-03-10T04:00:00.000Z')); // midnight EDT, Monday 10 March
    expect(await status('daily')).toMatchObject({ window: '2031-03-10', used: 0 });
    await call();
    expect(await status('daily')).toMatchObject({
      window: '2031-03-10',
      resets_at: '2031-03-11T04:00:00.000Z',
      used: 1,
    });
  });

  it('counts ISO weeks from local Monday midnight', async () => {
    expect(await status('weekly')).toMatchObject({
      window: '2031-W11',
      window_start: '2031-03-10T04:00:00.000Z',
      resets_at: '2031-03-17T04:00:00.000Z',
      used: 1,
    });
    clock.set(at('2031-03-10T03:59:59.999Z'));
    // The week before: Monday 3 March 00:00 EST to Monday 10 March 00:00 EDT, three calls.
    expect(await status('weekly')).toMatchObject({
      window: '2031-W10',
      window_start: '2031-03-03T05:00:00.000Z',
      resets_at: '2031-03-10T04:00:00.000Z',
      used: 3,
    });
    // March counts all but the first call, the one on Monday included.
    expect(await status('monthly')).toMatchObject({ window: '2031-03', used: 5 });
  });

  it('refuses a strict quota until local midnight, then admits again', async () => {
    const strict = await quota({ quota_type: 'daily_requests', limit_value: 1, enforcement: 'strict' });
    const chat = () =>
      gw.call('POST', '/v1/chat/completions', {
        body: { model: 'tz-chat', messages: [{ role: 'user', content: 'hi' }] },
      });
    clock.set(at('2031-03-11T03:58:00.000Z')); // 23:58 EDT, 10 March
    expect((await chat()).status).toBe(200);
    const refused = await chat();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('120');
    expect(refused.json.error.details).toMatchObject({
      quota_id: strict,
      window: '2031-03-10',
      resets_at: '2031-03-11T04:00:00.000Z',
    });
    clock.set(at('2031-03-11T04:00:00.000Z'));
    expect((await chat()).status).toBe(200);
    await gw.runtime.idle(); // the hold is settled after the response
    expect((await gw.call('GET', `/api/quotas/${strict}/status`)).json).toMatchObject({
      window: '2031-03-11',
      used: 1,
      reserved: 0,
    });
  });
});

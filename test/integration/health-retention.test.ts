import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fakes/health-upstream.js';
import { providerBody } from '../support/runtime.js';
import { type HealthGateway, startHealthGateway, T0 } from './health-fixtures.js';

const DAY = 86_400_000;
let hg: HealthGateway;
let fake: FakeUpstream;

beforeAll(async () => {
  hg = await startHealthGateway({ HEALTH_HISTORY_RETENTION_DAYS: '30' });
  fake = await startFakeUpstream('up');
});
afterAll(async () => {
  await fake.close();
  await hg.stop();
});

async function newProvider(name: string): Promise<string> {
  const created = await hg.gw.call('POST', '/api/providers', {
    body: providerBody(name, { provider_type: 'custom', base_url: fake.url }),
  });
  return created.json.id as string;
}

/** Runs the schedule at T0 + `day` days. */
async function runOnDay(day: number): Promise<string> {
  hg.clock.set(T0 + day * DAY);
  const time = new Date(hg.clock.now()).toISOString();
  await hg.deliver(`day-${day}`, time);
  return time;
}

const checkedAts = async (id: string, query = '') =>
  (await hg.gw.call('GET', `/api/providers/${id}/health-history?limit=100${query}`)).json.data.map(
    (c: { checked_at: string }) => c.checked_at,
  );

describe('health history: retention and time range', () => {
  it('stops returning checks once their TTL has passed, though DynamoDB has not deleted them', async () => {
    // Prepare: checks on days 0, 10 and 29
    const id = await newProvider('retention');
    const [d0, d10, d29] = [await runOnDay(0), await runOnDay(10), await runOnDay(29)];
    expect(await checkedAts(id)).toEqual([d29, d10, d0]);
    // Act / Assess: the clock passes each TTL (30 days after the check)
    hg.clock.set(T0 + 31 * DAY);
    expect(await checkedAts(id)).toEqual([d29, d10]);
    hg.clock.set(T0 + 45 * DAY);
    expect(await checkedAts(id)).toEqual([d29]);
    hg.clock.set(T0 + 60 * DAY);
    expect(await checkedAts(id)).toEqual([]);
    const row = (await hg.gw.call('GET', '/api/health/summary')).json.providers.find(
      (p: { provider_id: string }) => p.provider_id === id,
    );
    expect(row).toMatchObject({ checks_7d: 0, uptime_7d: null });
  });

  it('returns checks between start and end (inclusive), page by page without repeats', async () => {
    const id = await newProvider('range');
    const times: string[] = [];
    for (let n = 0; n < 5; n++) {
      times.push(hg.slot(100_000 + n));
      await hg.deliver(`range-${n}`, times[n] as string);
    }
    expect(await checkedAts(id, `&start=${times[1]}&end=${times[3]}`)).toEqual([
      times[3],
      times[2],
      times[1],
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await hg.gw.call(
        'GET',
        `/api/providers/${id}/health-history?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.json.data.map((c: { checked_at: string }) => c.checked_at));
      cursor = res.json.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...times].reverse());
  });

  it('refuses a reversed range, a foreign cursor and an unknown provider', async () => {
    const id = await newProvider('range-bad');
    const other = await newProvider('range-other');
    const reversed = await hg.gw.call(
      'GET',
      `/api/providers/${id}/health-history?start=2031-03-02T00:00:00Z&end=2031-03-01T00:00:00Z`,
    );
    expect(reversed.status).toBe(400);
    await hg.deliver('foreign', hg.slot(200_000));
    const page = await hg.gw.call('GET', `/api/providers/${other}/health-history?limit=1`);
    expect(page.json.data).toHaveLength(1);
    await hg.deliver('foreign-2', hg.slot(200_001));
    const otherCursor = (await hg.gw.call('GET', `/api/providers/${other}/health-history?limit=1`)).json
      .next_cursor;
    const foreign = await hg.gw.call('GET', `/api/providers/${id}/health-history?cursor=${otherCursor}`);
    expect(foreign.status).toBe(400);
    expect(foreign.json.error.code).toBe('invalid_cursor');
    const outside = await hg.gw.call(
      'GET',
      `/api/providers/${other}/health-history?cursor=${otherCursor}&end=2031-03-01T00:00:00Z`,
    );
    expect(outside.status).toBe(400);
    const missing = await hg.gw.call('GET', '/api/providers/prov_01m8bwjkr672zknf0jar5m8r48/health-history');
    expect(missing.status).toBe(404);
  });
});

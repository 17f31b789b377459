import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';

const DAY_MS = 86_400_000;
let clock = Date.parse('2026-11-20T10:00:00.000Z');
let gw: TestGateway;
let operator: MintedKey;
const providers: string[] = [];

type Event = {
  sequence: number;
  actor_key_id: string;
  action: string;
  target_id: string;
  recorded_at: string;
};

/** Every page of a listing, following `next_cursor`. */
async function all(query: string, key?: string): Promise<Event[]> {
  const events: Event[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const sep = query ? '&' : '';
    const res = await gw.call(
      'GET',
      `/api/audit?${query}${sep}limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      key ? { key } : {},
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.length).toBeLessThanOrEqual(2);
    events.push(...res.json.data);
    cursor = res.json.next_cursor;
    if (!cursor) return events;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' }, { now: () => clock });
  operator = await mintKey(gw, { role: 'operator', name: 'audit operator' });
  // Three days with changes, one day without.
  for (const day of [0, 1, 3]) {
    clock = Date.parse('2026-11-20T10:00:00.000Z') + day * DAY_MS;
    const res = await gw.call('POST', '/api/providers', {
      key: operator.key,
      body: providerBody(`audit-api-${day}`, { provider_type: 'mock' }),
    });
    providers.push(res.json.id);
    await gw.call('PATCH', `/api/providers/${res.json.id}`, {
      key: operator.key,
      body: { priority: day + 1 },
    });
    await gw.runtime.streams!.idle();
  }
});
afterAll(async () => {
  await gw.stop();
});

describe('GET /api/audit', () => {
  it('pages through every event, newest first, across day partitions', async () => {
    const events = await all('');
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(sequences.at(-1)).toBe(1);
    expect(sequences[0]).toBe(events.length);
    expect(events.filter((e) => e.target_id.startsWith('prov_')).length).toBe(6);
  });

  it('filters by actor, target, action and time', async () => {
    const byActor = await all(`actor=${operator.id}`);
    expect(byActor.map((e) => e.action)).toEqual([
      'provider.updated',
      'provider.created',
      'provider.updated',
      'provider.created',
      'provider.updated',
      'provider.created',
    ]);
    const byTarget = await all(`target_type=provider&target_id=${providers[1]}`);
    expect(byTarget.map((e) => e.action)).toEqual(['provider.updated', 'provider.created']);
    expect((await all('action=provider.updated')).length).toBe(3);
    expect((await all('action=provider')).length).toBe(6);
    const window = await all('start=2026-11-21T00:00:00.000Z&end=2026-11-21T23:59:59.999Z');
    expect(window.map((e) => e.target_id)).toEqual([providers[1], providers[1]]);
  });

  it('shows a key scoped to a provider only that provider’s events', async () => {
    const scoped = await mintKey(gw, { role: 'viewer', provider_ids: [providers[0]!] });
    const seen = await all('', scoped.key);
    expect(seen.length).toBe(2);
    expect(seen.every((e) => e.target_id === providers[0])).toBe(true);
  });

  it('refuses a forged cursor and contradictory filters with 400', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'PROVIDERS', sk: 'x' })).toString('base64url');
    expect((await gw.call('GET', `/api/audit?cursor=${forged}`)).status).toBe(400);
    expect((await gw.call('GET', '/api/audit?target_id=prov_1')).status).toBe(400);
  });
});

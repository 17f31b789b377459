/**
 * `GET /api/logs` filters and pages: over a known set of requests (two keys, one of a team, two
 * providers, one of which fails, tags), every filter returns exactly the records that match it,
 * newest first, and paging by small pages neither skips nor repeats one. CSV and NDJSON carry the
 * same records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';

type Log = {
  request_id: string;
  at: string;
  api_key_id: string;
  team_id: string | null;
  provider_id: string | null;
  model: string | null;
  status: number;
  outcome: string;
  latency_ms: { total: number };
  cache: string | null;
  tags: Record<string, string>;
  user: string | null;
};

let gw: TestGateway;
let teamKey: MintedKey;
let soloKey: MintedKey;
let teamId: string;
let failingProvider: string;
const sent: string[] = [];
let all: Log[] = [];

async function chat(key: string, model: string, extra: Record<string, unknown> = {}, headers = {}) {
  const res = await gw.call('POST', '/v1/chat/completions', {
    key,
    body: { model, messages: [{ role: 'user', content: 'hello' }], ...extra },
    headers,
  });
  sent.push(res.headers.get('x-request-id')!);
  return res;
}

/** Every page of a filtered list, `limit` at a time. */
async function listAll(filter: string, limit = 7): Promise<Log[]> {
  const out: Log[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const res = await gw.call('GET', `/api/logs?limit=${limit}${filter}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    out.push(...res.json.data);
    cursor = res.json.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('too many pages');
}

const newestFirst = (a: Log, b: Log) =>
  a.at === b.at ? (a.request_id < b.request_id ? 1 : -1) : a.at < b.at ? 1 : -1;

beforeAll(async () => {
  // Every day of a list's window costs one query per index shard (64 a partition) to find its
  // records or that it has none: a one-day retention keeps the window to today and yesterday, so
  // paging ~45 times stays quick on dynalite (the default 30 days would read 30 empty days a list).
  gw = await startTestGateway({ MOCK_PROVIDER: 'on', REQUEST_LOG_RETENTION_DAYS: '1' });
  const team = await gw.call('POST', '/api/teams', { body: { name: 'logs-team' } });
  expect(team.status, team.text).toBe(201);
  teamId = team.json.id;
  teamKey = await mintKey(gw, { role: 'invoke', team_id: teamId });
  soloKey = await mintKey(gw, { role: 'invoke' });
  const failing = await gw.call('POST', '/api/providers', {
    body: {
      name: 'mock-failing',
      provider_type: 'mock',
      service_types: ['llm'],
      metadata: { failure_rate: 1, failure_status: 500 },
    },
  });
  expect(failing.status, failing.text).toBe(201);
  failingProvider = failing.json.id;
  const model = await gw.call('POST', `/api/providers/${failingProvider}/models`, {
    body: { model_id: 'fail-chat', model_type: 'llm' },
  });
  expect(model.status, model.text).toBe(201);
  // A known mix, partly concurrent so that records share milliseconds and shards.
  await Promise.all([
    ...Array.from({ length: 12 }, (_, i) =>
      chat(teamKey.key, 'mock-chat', { metadata: { feature: i % 2 ? 'search' : 'chat' } }),
    ),
    ...Array.from({ length: 9 }, () => chat(soloKey.key, 'mock-chat', { user: 'u-1' })),
    ...Array.from({ length: 5 }, () =>
      chat(soloKey.key, 'fail-chat', {}, { 'x-gateway-metadata': '{"feature":"search"}' }),
    ),
    ...Array.from({ length: 3 }, () => chat(teamKey.key, 'unknown-model')),
  ]);
  await gw.runtime.idle();
  all = await listAll('', 100);
}, 120_000);
afterAll(async () => {
  await gw?.stop();
});

describe('request logs: filters and pages', () => {
  it('lists every request once, newest first, whatever the page size', async () => {
    expect(all.map((r) => r.request_id).sort()).toEqual([...sent].sort());
    expect([...all].sort(newestFirst)).toEqual(all);
    for (const limit of [1, 4, 7, 29]) {
      const paged = await listAll('', limit);
      expect(paged.map((r) => r.request_id)).toEqual(all.map((r) => r.request_id));
    }
  });

  const cases: Array<[string, () => string, (r: Log) => boolean]> = [
    ['api_key_id', () => `&api_key_id=${soloKey.id}`, (r) => r.api_key_id === soloKey.id],
    ['team_id', () => `&team_id=${teamId}`, (r) => r.team_id === teamId],
    ['provider_id', () => `&provider_id=${failingProvider}`, (r) => r.provider_id === failingProvider],
    ['model', () => '&model=mock-chat', (r) => r.model === 'mock-chat'],
    ['status=error', () => '&status=error', (r) => r.outcome === 'error'],
    ['status=success', () => '&status=success', (r) => r.outcome === 'success'],
    ['status=404', () => '&status=404', (r) => r.status === 404],
    ['min_latency_ms', () => `&min_latency_ms=${median(all)}`, (r) => r.latency_ms.total >= median(all)],
    ['cache=none', () => '&cache=none', (r) => r.cache === null],
    ['cache=hit', () => '&cache=hit', (r) => r.cache === 'hit'],
    ['tag=feature:search', () => '&tag=feature:search', (r) => r.tags.feature === 'search'],
    ['tag=feature', () => '&tag=feature', (r) => r.tags.feature !== undefined],
    ['tag=user:u-1', () => '&tag=user:u-1', (r) => r.user === 'u-1'],
    [
      'from and to',
      () => `&from=${all[20]!.at}&to=${all[5]!.at}`,
      (r) => r.at >= all[20]!.at && r.at <= all[5]!.at,
    ],
    [
      'team_id and status=error',
      () => `&team_id=${teamId}&status=error`,
      (r) => r.team_id === teamId && r.outcome === 'error',
    ],
  ];

  it.each(cases)('filters exactly by %s, over pages of 3', async (_name, query, matches) => {
    const expected = all.filter(matches).map((r) => r.request_id);
    const got = await listAll(query(), 3);
    expect(got.map((r) => r.request_id)).toEqual(expected);
  });

  it('has requests in every filter it tests (the cases are not vacuous)', () => {
    expect(all.filter((r) => r.outcome === 'error').length).toBe(8);
    expect(all.filter((r) => r.status === 404).length).toBe(3);
    expect(all.filter((r) => r.team_id === teamId).length).toBe(15);
    expect(all.filter((r) => r.tags.feature === 'search').length).toBe(11);
  });

  it('answers CSV and NDJSON by Accept, with the cursor in x-next-cursor', async () => {
    const csv = await gw.call('GET', '/api/logs?limit=5', { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^request_id,at,api_key_id,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(all.slice(0, 5).map((r) => r.request_id));
    const ndjson = await gw.call('GET', `/api/logs?limit=5&cursor=${csv.headers.get('x-next-cursor')}`, {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(ndjson.status).toBe(200);
    const records = ndjson.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Log);
    expect(records.map((r) => r.request_id)).toEqual(all.slice(5, 10).map((r) => r.request_id));
  });

  it('refuses a forged cursor and an inverted range with 400s in the envelope', async () => {
    const forged = await gw.call('GET', `/api/logs?cursor=${Buffer.from('LOG#x').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect(forged.json.error.code).toBe('invalid_cursor');
    const inverted = await gw.call('GET', '/api/logs?from=2026-12-02&to=2026-12-01');
    expect(inverted.status).toBe(400);
    expect(inverted.json.error.code).toBe('invalid_range');
    const bad = await gw.call('GET', '/api/logs?status=teapot');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });
});

function median(records: Log[]): number {
  const sorted = records.map((r) => r.latency_ms.total).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

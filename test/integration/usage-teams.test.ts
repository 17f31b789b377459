/**
 * A team's usage is exactly the sum of its keys' usage, end to end: calls made with the team's keys
 * over the real local runtime, reports filtered and grouped by team (JSON and CSV), and a key of a
 * team that sees its team's usage and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MintedKey, mintKey } from './access-fixtures.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-10-05T10:00:00.000Z');
let t: UsageGateway;
let team: string;
let otherTeam: string;
let first: MintedKey;
let second: MintedKey;
let outsider: MintedKey;

const report = async (query: string, key?: string) =>
  (
    await t.gw.call(
      'GET',
      `/api/usage?start_date=2031-10-05&end_date=2031-10-05&${query}`,
      key ? { key } : {},
    )
  ).json;

beforeAll(async () => {
  t = await startUsageGateway(T0, { HEALTH_SCHEDULE: 'off', ROUTING_CACHE_TTL: '0' });
  const provider = await t.gw.call('POST', '/api/providers', {
    body: { name: 'usage-teams', provider_type: 'mock', service_types: ['llm'] },
  });
  await t.model(provider.json.id, {
    model_id: 'usage-chat',
    model_type: 'llm',
    pricing: { input_per_1m: 1, output_per_1m: 2, effective_from: '2031-01-01T00:00:00Z' },
  });
  team = (await t.gw.call('POST', '/api/teams', { body: { name: 'Usage' } })).json.id;
  otherTeam = (await t.gw.call('POST', '/api/teams', { body: { name: 'Usage elsewhere' } })).json.id;
  first = await mintKey(t.gw, { role: 'invoke', team_id: team });
  second = await mintKey(t.gw, { role: 'invoke', team_id: team });
  outsider = await mintKey(t.gw, { role: 'invoke' });
  const calls = [first, first, first, second, second, outsider, outsider, outsider, outsider];
  for (const key of calls) {
    const res = await t.gw.call('POST', '/v1/chat/completions', {
      key: key.key,
      body: { model: 'usage-chat', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status, res.text).toBe(200);
  }
  // Usage is written after each answer, then rolled up from the change stream.
  await vi.waitFor(async () => expect((await report('')).totals.requests).toBe(9), { timeout: 5_000 });
});
afterAll(async () => {
  await t.stop();
});

describe('usage by team', () => {
  it("reports a team's usage as the exact sum of its keys'", async () => {
    const teamReport = await report(`team_id=${team}`);
    expect(teamReport.team_id).toBe(team);
    const byKey = await report(`team_id=${team}&group_by=api_key`);
    const rows = byKey.series as Array<{
      group: string;
      requests: number;
      cost_usd: number;
      input_tokens: number;
    }>;
    expect(rows.map((r) => r.group).sort()).toEqual([first.id, second.id].sort());
    const sum = (field: 'requests' | 'cost_usd' | 'input_tokens') => rows.reduce((s, r) => s + r[field], 0);
    expect(teamReport.totals.requests).toBe(5);
    expect(teamReport.totals.requests).toBe(sum('requests'));
    expect(teamReport.totals.input_tokens).toBe(sum('input_tokens'));
    expect(teamReport.totals.cost_usd).toBeCloseTo(sum('cost_usd'), 9);
    expect(teamReport.totals.cost_usd).toBeGreaterThan(0);
  });

  it('groups by team, keys without a team under ""', async () => {
    const grouped = await report('group_by=team');
    const byGroup = Object.fromEntries(
      (grouped.series as Array<{ group: string; requests: number }>).map((r) => [r.group, r.requests]),
    );
    expect(byGroup).toEqual({ [team]: 5, '': 4 });
    const csv = await t.gw.call('GET', '/api/usage?start_date=2031-10-05&end_date=2031-10-05&group_by=team', {
      headers: { accept: 'text/csv' },
    });
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^period,team,requests,/);
    expect(lines.some((l) => l.startsWith(`2031-10-05T00:00:00.000Z,${team},5,`))).toBe(true);
  });

  it("downloads the same report as CSV with format=csv, with the cache savings column, within the caller's team", async () => {
    const csv = await t.gw.call(
      'GET',
      '/api/usage?start_date=2031-10-05&end_date=2031-10-05&group_by=team&format=csv',
    );
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="usage-2031-10-05-/);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header!.split(',')).toEqual(
      expect.arrayContaining(['period', 'team', 'cost_usd', 'cost_saved_usd']),
    );
    expect(rows.map((row) => row.split(',')[1]).sort()).toEqual(['', team]);
    // format=json wins over an Accept that prefers CSV.
    const json = await t.gw.call('GET', '/api/usage?start_date=2031-10-05&end_date=2031-10-05&format=json', {
      headers: { accept: 'text/csv' },
    });
    expect(json.json.totals.requests).toBe(9);

    const viewer = await mintKey(t.gw, { role: 'viewer', team_id: team });
    const own = await t.gw.call(
      'GET',
      '/api/usage?start_date=2031-10-05&end_date=2031-10-05&group_by=api_key&format=csv',
      {
        key: viewer.key,
      },
    );
    expect(own.text).not.toContain(outsider.id);
    expect(
      own.text
        .trim()
        .split('\r\n')
        .slice(1)
        .map((row) => row.split(',')[1])
        .sort(),
    ).toEqual([first.id, second.id].sort());
    const invoke = await t.gw.call('GET', '/api/usage?format=csv', { key: first.key });
    expect(invoke.status).toBe(403);
    expect(await t.gw.call('GET', '/api/usage?format=xml').then((r) => r.status)).toBe(400);
  });

  it("shows a key of a team its team's usage only", async () => {
    const viewer = await mintKey(t.gw, { role: 'viewer', team_id: team });
    expect((await report('', viewer.key)).totals.requests).toBe(5);
    const keysSeen = (await report('group_by=api_key', viewer.key)).series.map(
      (r: { group: string }) => r.group,
    );
    expect(keysSeen).not.toContain(outsider.id);
    const other = await report(`team_id=${otherTeam}`, viewer.key);
    expect(other.totals.requests).toBe(0);
    expect(other.series).toEqual([]);
    const stranger = await mintKey(t.gw, { role: 'viewer', team_id: otherTeam });
    expect((await report('', stranger.key)).totals.requests).toBe(0);
  });
});

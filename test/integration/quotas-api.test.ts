import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-08-31T22:00:00.000Z');
let t: UsageGateway;
let provider: string;

beforeAll(async () => {
  t = await startUsageGateway(T0);
  provider = await t.provider('quota-api');
});

afterAll(async () => {
  await t.stop();
});

describe('quotas API', () => {
  it('creates a quota with the defaults, reads, lists, patches and deletes it', async () => {
    const created = await t.gw.call('POST', '/api/quotas', {
      body: { provider_id: provider, quota_type: 'monthly_cost', limit_value: 250.5 },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^quota_/),
      provider_id: provider,
      quota_type: 'monthly_cost',
      limit_value: 250.5,
      soft_limit_percent: 80,
      action_on_exceed: 'block',
      scope: 'provider',
      model_id: null,
      api_key_id: null,
      enforcement: 'async',
      is_active: true,
      version: 1,
    });
    const id = created.json.id;
    expect((await t.gw.call('GET', `/api/quotas/${id}`)).json).toEqual(created.json);
    const status = await t.gw.call('GET', `/api/quotas/${id}/status`);
    expect(status.json).toEqual({
      quota_id: id,
      quota_type: 'monthly_cost',
      window: '2031-08',
      time_zone: 'UTC',
      window_start: '2031-08-01T00:00:00.000Z',
      unit: 'usd',
      used: 0,
      limit: 250.5,
      remaining: 250.5,
      spent_usd: 0,
      percent: 0,
      state: 'ok',
      resets_at: '2031-09-01T00:00:00.000Z',
    });
    const stateItem = await t.deps.table.get(keys.quotaState(id, '2031-08'));
    expect(stateItem).toMatchObject({
      state: 'ok',
      last_actor: 'quota-enforcer',
      last_request_id: 'quota-change',
    });

    const patched = await t.gw.call('PATCH', `/api/quotas/${id}`, {
      body: { limit_value: 300, action_on_exceed: 'fallback', version: 1 },
    });
    expect(patched.json).toMatchObject({ limit_value: 300, action_on_exceed: 'fallback', version: 2 });
    const stale = await t.gw.call('PATCH', `/api/quotas/${id}`, { body: { limit_value: 1, version: 1 } });
    expect(stale.status).toBe(409);
    const list = await t.gw.call('GET', `/api/quotas?provider_id=${provider}`);
    expect(list.json.data.map((q: { id: string }) => q.id)).toContain(id);
    expect((await t.gw.call('DELETE', `/api/quotas/${id}`)).status).toBe(204);
    expect((await t.gw.call('GET', `/api/quotas/${id}`)).status).toBe(404);
    expect(await t.deps.table.get(keys.quotaState(id, '2031-08'))).toBeUndefined();
  });

  it('checks the identifiers each scope needs and refuses unknown fields and scope changes', async () => {
    const bad = [
      { quota_type: 'daily_cost', limit_value: 1, scope: 'model', provider_id: provider },
      { quota_type: 'daily_cost', limit_value: 1, scope: 'global', provider_id: provider },
      { quota_type: 'daily_tokens', limit_value: 10.5, scope: 'global' },
      { quota_type: 'fortnightly_cost', limit_value: 1, scope: 'global' },
      { quota_type: 'weekly_cost', limit_value: 1, scope: 'global', time_zone: 'Mars/Olympus_Mons' },
      { quota_type: 'weekly_cost', limit_value: 1, scope: 'global', time_zone: 'Asia/Kolkata' },
      { quota_type: 'daily_cost', limit_value: 1, scope: 'global', thresholds_percent: [50, 50] },
      { quota_type: 'daily_cost', limit_value: 1, scope: 'global', thresholds_percent: [0] },
      { quota_type: 'daily_cost', limit_value: 1, scope: 'team' },
      {
        quota_type: 'daily_cost',
        limit_value: 1,
        scope: 'global',
        team_id: 'team_01m8bwjkr672zknf0jar5m8r48',
      },
      { quota_type: 'daily_cost', limit_value: -1, scope: 'global' },
      { quota_type: 'daily_cost', limit_value: 1, scope: 'global', soft_limit_percent: 0 },
      { quota_type: 'daily_cost', limit_value: 1, scope: 'global', used: 0 },
    ];
    for (const body of bad)
      expect((await t.gw.call('POST', '/api/quotas', { body })).status, JSON.stringify(body)).toBe(422);
    const missing = await t.gw.call('POST', '/api/quotas', {
      body: { quota_type: 'daily_cost', limit_value: 1, provider_id: 'prov_01m8bwjkr672zknf0jar5m8r48' },
    });
    expect(missing.status).toBe(404);
    const global = await t.gw.call('POST', '/api/quotas', {
      body: { quota_type: 'daily_requests', limit_value: 1000, scope: 'global' },
    });
    expect(global.status).toBe(201);
    const scopeChange = await t.gw.call('PATCH', `/api/quotas/${global.json.id}`, {
      body: { scope: 'provider' },
    });
    expect(scopeChange.status).toBe(422);
    expect((await t.gw.call('GET', '/api/quotas/quota_nope')).status).toBe(404);
    expect((await t.gw.call('GET', '/api/quotas/quota_01m8bwjkr672zknf0jar5m8r48/status')).status).toBe(404);
  });

  it('rejects usage report queries it cannot answer', async () => {
    expect((await t.gw.call('GET', `/api/providers/${provider}/usage?granularity=week`)).status).toBe(400);
    expect((await t.gw.call('GET', `/api/providers/${provider}/usage?start_date=2031-13-01`)).status).toBe(
      400,
    );
    expect(
      (await t.gw.call('GET', `/api/providers/${provider}/usage?granularity=hour&start_date=2031-01-01`)).json
        .error.code,
    ).toBe('range_too_large');
    expect((await t.gw.call('GET', '/api/providers/prov_01m8bwjkr672zknf0jar5m8r48/usage')).status).toBe(404);
    const empty = await t.gw.call('GET', `/api/usage?provider_id=${provider}&granularity=month`);
    expect(empty.json.totals.requests).toBe(0);
    expect(empty.json.series).toHaveLength(12);
  });
});

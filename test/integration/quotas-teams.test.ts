/**
 * Team budgets that hold, over the real local runtime: a strict team quota admits exactly what it
 * is worth under a concurrent burst across the team's keys, and nothing of a key outside the team;
 * nested limits (a key inside its team inside the gateway) are decided by the tightest, which the
 * budget headers name.
 *
 * Every call costs exactly $0.01 and holds exactly $0.01: the mock answers 1,000 output tokens and
 * no input ones, the model charges $10 per million output tokens and nothing for input, and each
 * request asks for `max_tokens: 1000`. So holds never release anything at settle, and the order in
 * which concurrent calls finish cannot change what is admitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { mintKey } from './access-fixtures.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-07-14T12:00:00.000Z');
let t: UsageGateway;

const messages = [{ role: 'user', content: 'hi' }];
const chat = (key: string) =>
  t.gw.call('POST', '/v1/chat/completions', {
    key,
    body: { model: 'team-chat', max_tokens: 1000, messages },
  });

async function newTeam(name: string): Promise<string> {
  const res = await t.gw.call('POST', '/api/teams', { body: { name } });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

async function strictQuota(body: Record<string, unknown>): Promise<string> {
  const res = await t.gw.call('POST', '/api/quotas', {
    body: { quota_type: 'daily_cost', enforcement: 'strict', ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

beforeAll(async () => {
  t = await startUsageGateway(T0, { HEALTH_SCHEDULE: 'off', ROUTING_CACHE_TTL: '0' });
  const provider = await t.gw.call('POST', '/api/providers', {
    body: {
      name: 'team-budget-mock',
      provider_type: 'mock',
      service_types: ['llm'],
      metadata: { usage_input_tokens: 0, usage_output_tokens: 1000, latency_ms: 20 },
    },
  });
  expect(provider.status, provider.text).toBe(201);
  await t.model(provider.json.id, {
    model_id: 'team-chat',
    model_type: 'llm',
    pricing: { input_per_1m: 0, output_per_1m: 10, effective_from: '2031-01-01T00:00:00Z' },
  });
});
afterAll(async () => {
  await t.stop();
});

describe('team budgets: strict enforcement across the keys of a team', () => {
  it('admits exactly 5 of 50 concurrent calls from two keys against a team budget worth 5', async () => {
    const team = await newTeam('Burst');
    const [first, second] = [
      await mintKey(t.gw, { role: 'invoke', team_id: team }),
      await mintKey(t.gw, { role: 'invoke', team_id: team }),
    ];
    const outsider = await mintKey(t.gw, { role: 'invoke' });
    const quotaId = await strictQuota({ scope: 'team', team_id: team, limit_value: 0.05 });

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => chat(i % 2 === 0 ? first!.key : second!.key)),
    );
    const admitted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(admitted).toHaveLength(5);
    expect(refused).toHaveLength(45);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.json.error).toMatchObject({
        code: 'quota_exceeded',
        details: { quota_id: quotaId, scope: 'team', resets_at: '2031-07-15T00:00:00.000Z' },
      });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // A key outside the team is not limited by the team's budget.
    expect((await chat(outsider.key)).status).toBe(200);

    await expect
      .poll(async () => (await t.gw.call('GET', `/api/quotas/${quotaId}/status`)).json)
      .toMatchObject({ used: 0.05, remaining: 0, reserved: 0, state: 'exceeded', spent_usd: 0.05 });
  });
});

describe('team budgets: nested limits, the tightest decides', () => {
  it('stops a key at its own quota, the team at the team quota, everyone at the global one', async () => {
    t.clock.set(T0 + 2 * 86_400_000); // fresh daily windows
    const team = await newTeam('Nested');
    const keyA = await mintKey(t.gw, { role: 'invoke', team_id: team });
    const keyB = await mintKey(t.gw, { role: 'invoke', team_id: team });
    const outsider = await mintKey(t.gw, { role: 'invoke' });
    const keyQuota = await strictQuota({ scope: 'api_key', api_key_id: keyA.id, limit_value: 0.02 });
    const teamQuota = await strictQuota({ scope: 'team', team_id: team, limit_value: 0.03 });
    const globalQuota = await strictQuota({ scope: 'global', limit_value: 0.05 });
    const refusal = async (key: string) => {
      const res = await chat(key);
      expect(res.status, res.text).toBe(429);
      return res.json.error.details.quota_id;
    };

    const firstOfA = await chat(keyA.key);
    expect(firstOfA.status).toBe(200);
    // Left: key $0.01, team $0.02, gateway $0.04; the key's is the tightest.
    expect(firstOfA.headers.get('x-gateway-budget-remaining')).toBe('0.01');
    expect(firstOfA.headers.get('x-gateway-budget-reset')).toBe('2031-07-17T00:00:00.000Z');
    expect((await chat(keyA.key)).status).toBe(200);
    expect(await refusal(keyA.key)).toBe(keyQuota);

    const firstOfB = await chat(keyB.key);
    expect(firstOfB.status).toBe(200);
    expect(firstOfB.headers.get('x-gateway-budget-remaining')).toBe('0'); // the team's, now spent
    expect(await refusal(keyB.key)).toBe(teamQuota);

    const outside = await chat(outsider.key);
    expect(outside.status).toBe(200);
    expect(outside.headers.get('x-gateway-budget-remaining')).toBe('0.01'); // only the global quota applies
    expect((await chat(outsider.key)).status).toBe(200);
    expect(await refusal(outsider.key)).toBe(globalQuota);
    for (const id of [keyQuota, teamQuota, globalQuota])
      expect((await t.gw.call('DELETE', `/api/quotas/${id}`)).status).toBe(204);
  });

  it('reports the tightest async cost quota too, from its last evaluated state', async () => {
    t.clock.set(T0 + 4 * 86_400_000);
    const team = await newTeam('Async');
    const key = await mintKey(t.gw, { role: 'invoke', team_id: team });
    const created = await t.gw.call('POST', '/api/quotas', {
      body: { scope: 'team', team_id: team, quota_type: 'monthly_cost', limit_value: 2 },
    });
    expect(created.status).toBe(201);
    const first = await chat(key.key);
    expect(first.headers.get('x-gateway-budget-remaining')).toBe('2');
    expect(first.headers.get('x-gateway-budget-reset')).toBe('2031-08-01T00:00:00.000Z');
    // The enforcer's state of the month, once the call's usage reached it: $0.01 in nano-USD.
    await expect
      .poll(async () => (await t.deps.table.get(keys.quotaState(created.json.id, '2031-07')))?.used)
      .toBe(10_000_000);
    t.clock.advance(5_000); // past the request path's 4 s quota cache
    const later = await chat(key.key);
    expect(later.headers.get('x-gateway-budget-remaining')).toBe('1.99');
    // No cost quota applies to a key outside the team: no budget headers.
    const outsider = await mintKey(t.gw, { role: 'invoke' });
    const free = await chat(outsider.key);
    expect(free.status).toBe(200);
    expect(free.headers.get('x-gateway-budget-remaining')).toBeNull();
  });
});

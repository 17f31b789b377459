/**
 * Tenant isolation, routing: nothing a scoped key creates or changes alters which upstream serves a
 * key outside its scope, and a model scope holds for the model actually called. Real local runtime,
 * one fake upstream per provider, recording what each receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';

let gw: TestGateway;
let sharedUpstream: FakeUpstream;
let teamUpstream: FakeUpstream;
let shared: string;
let team: string;
/** An operator key of the team, scoped to its own provider. */
let teamOperator: MintedKey;
/** An invoke key of the team, scoped alike. */
let teamInvoke: MintedKey;
/** A key outside the team's scope. */
let outsider: MintedKey;

async function provider(name: string, upstream: FakeUpstream, priority: number, models: string[]) {
  const res = await gw.call('POST', '/api/providers', {
    body: providerBody(name, { base_url: `${upstream.origin}/v1`, priority }),
  });
  for (const model_id of models) {
    await gw.call('POST', `/api/providers/${res.json.id}/models`, { body: { model_id, model_type: 'llm' } });
  }
  await gw.call('POST', `/api/providers/${res.json.id}/credentials`, {
    body: { credential_type: 'api_key', credential_value: `fake-${name}-credential-0000` },
  });
  return res.json.id as string;
}

const chat = (model: string, key: string) =>
  gw.call('POST', '/v1/chat/completions', {
    key,
    body: { model, messages: [{ role: 'user', content: 'hi' }] },
  });

beforeAll(async () => {
  sharedUpstream = createOpenAIFake();
  teamUpstream = createOpenAIFake();
  await Promise.all([sharedUpstream.start(), teamUpstream.start()]);
  gw = await startTestGateway({
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
    ROUTING_CACHE_TTL: '0',
    PROVIDER_MAX_RETRIES: '0',
    HEALTH_SCHEDULE: 'off',
  });
  // The team's provider is tried first by priority: whatever it serves, it would win.
  team = await provider('team', teamUpstream, 1, ['team-model', 'both-model']);
  shared = await provider('shared', sharedUpstream, 50, ['gpt-shared', 'both-model', 'cheap', 'premium']);
  teamOperator = await mintKey(gw, { role: 'operator', provider_ids: [team] });
  teamInvoke = await mintKey(gw, { role: 'invoke', provider_ids: [team] });
  outsider = await mintKey(gw, { role: 'invoke' });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([sharedUpstream.stop(), teamUpstream.stop()]);
});

describe('isolation: a scoped key cannot capture requests of keys outside its scope', () => {
  it('adds a model that another provider serves: only its own scope is routed to it', async () => {
    // Act: the attack
    const added = await gw.call('POST', `/api/providers/${team}/models`, {
      key: teamOperator.key,
      body: { model_id: 'gpt-shared', model_type: 'llm' },
    });
    teamUpstream.reset();
    const outsiderAnswer = await chat('gpt-shared', outsider.key);
    const teamAnswer = await chat('gpt-shared', teamInvoke.key);
    // Assess: the outsider is still served by the shared provider; the team by its own
    expect(added.status).toBe(201);
    expect(added.json.owner_scope).toEqual({ provider_ids: [team], model_ids: null });
    expect(outsiderAnswer.headers.get('x-gateway-provider')).toBe('shared');
    expect(teamAnswer.headers.get('x-gateway-provider')).toBe('team');
    expect(teamUpstream.requests).toHaveLength(1);
    const listed = await gw.call('GET', '/v1/models', { key: outsider.key });
    expect(listed.json.data.find((m: { id: string }) => m.id === 'gpt-shared').owned_by).toBe('shared');
  });

  it('writes a routing rule matching models others use: it routes only its own scope', async () => {
    // Act: every gpt-* request to the team's own model, upstream
    const rule = await gw.call('POST', '/api/providers/routing-rules', {
      key: teamOperator.key,
      body: {
        rule_name: 'capture',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'gpt-*',
        targets: [{ provider_id: team, model: 'team-model' }],
        priority: 1,
      },
    });
    teamUpstream.reset();
    const outsiderAnswer = await chat('gpt-shared', outsider.key);
    const teamAnswer = await chat('gpt-shared', teamInvoke.key);
    // Assess
    expect(rule.status, rule.text).toBe(201);
    expect(rule.json.owner_scope).toEqual({ provider_ids: [team], model_ids: null });
    expect(outsiderAnswer.headers.get('x-gateway-provider')).toBe('shared');
    expect(outsiderAnswer.headers.get('x-gateway-model')).toBe('gpt-shared');
    expect(teamAnswer.headers.get('x-gateway-model')).toBe('team-model');
    expect(teamUpstream.requests.map((r) => (r.json as { model: string }).model)).toEqual(['team-model']);
  });

  it('cannot change or delete what a wider key made, nor its shared provider (403 scoped_key)', async () => {
    const before = (await gw.call('GET', `/api/providers/${team}/models/team-model`)).json;
    const attempts = [
      await gw.call('PATCH', `/api/providers/${team}/models/team-model`, {
        key: teamOperator.key,
        body: { is_active: false },
      }),
      await gw.call('DELETE', `/api/providers/${team}/models/team-model`, { key: teamOperator.key }),
      await gw.call('PATCH', `/api/providers/${team}`, {
        key: teamOperator.key,
        body: { status: 'inactive' },
      }),
      await gw.call('DELETE', `/api/providers/${team}?force=true`, { key: teamOperator.key }),
    ];
    expect(attempts.map((r) => [r.status, r.json.error.code])).toEqual(
      Array.from({ length: 4 }, () => [403, 'scoped_key']),
    );
    expect((await gw.call('GET', `/api/providers/${team}/models/team-model`)).json).toEqual(before);
    // What it made itself stays its own to change.
    const own = await gw.call('PATCH', `/api/providers/${team}/models/gpt-shared`, {
      key: teamOperator.key,
      body: { context_window: 1000 },
    });
    expect(own.status).toBe(200);
  });

  it('sets a quota that blocks only its own scope', async () => {
    // Prepare: an admin-made model of the team provider serves every key
    await gw.call('POST', `/api/providers/${team}/models`, {
      body: { model_id: 'team-open', model_type: 'llm' },
    });
    // Act: the team blocks its provider with an exhausted request quota
    const quota = await gw.call('POST', '/api/quotas', {
      key: teamOperator.key,
      body: {
        provider_id: team,
        scope: 'provider',
        quota_type: 'daily_requests',
        limit_value: 1,
        action_on_exceed: 'block',
        enforcement: 'strict',
      },
    });
    const outsiderAnswers = [await chat('team-open', outsider.key), await chat('team-open', outsider.key)];
    // Assess
    expect(quota.status, quota.text).toBe(201);
    expect(outsiderAnswers.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('isolation: a model scope holds for the model actually called', () => {
  it('does not serve premium to a key scoped to cheap through a rule mapping cheap to premium', async () => {
    // Prepare
    const rule = await gw.call('POST', '/api/providers/routing-rules', {
      body: {
        rule_name: 'upgrade',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'cheap',
        targets: [{ provider_id: shared, model: 'premium' }],
      },
    });
    expect(rule.status, rule.text).toBe(201);
    const cheapOnly = await mintKey(gw, { role: 'invoke', model_ids: ['cheap'] });
    sharedUpstream.reset();
    // Act
    const scoped = await chat('cheap', cheapOnly.key);
    const unscoped = await chat('cheap', outsider.key);
    // Assess
    expect(scoped.status).toBe(404);
    expect(scoped.json.error.code).toBe('not_found');
    expect(unscoped.status).toBe(200);
    expect(unscoped.headers.get('x-gateway-model')).toBe('premium');
    expect(sharedUpstream.requests.map((r) => (r.json as { model: string }).model)).toEqual(['premium']);
  });
});

import { describe, expect, it } from 'vitest';
import { CHAT_MODEL, chatBody, useCacheWorld } from './cache-fixtures.js';

const world = useCacheWorld();

const ask = (text: string, key?: string, headers: Record<string, string> = {}) =>
  world.call('POST', '/v1/chat/completions', { body: chatBody(text), ...(key ? { key } : {}), headers });

function ruleBody(cache: Record<string, unknown>, pattern = CHAT_MODEL) {
  return {
    rule_name: 'cache rule',
    rule_type: 'primary_fallback',
    service_type: 'llm',
    model_pattern: pattern,
    provider_ids: [world.providerId],
    cache,
  };
}

describe('cache settings: who may share the global namespace', () => {
  it('lets two unscoped keys set to global share answers, while a default key keeps its own', async () => {
    const a = await world.newKey({ cache: { namespace: 'global' } });
    const b = await world.newKey({ cache: { namespace: 'global' } });
    const own = await world.newKey();
    await ask('shared answer', a.key);
    const before = world.chatCalls();
    const fromB = await ask('shared answer', b.key);
    const fromOwn = await ask('shared answer', own.key);
    expect(fromB.headers.get('x-gateway-cache')).toBe('hit');
    expect(fromOwn.headers.get('x-gateway-cache')).toBe('miss');
    expect(world.chatCalls() - before).toBe(1);
  });

  it('refuses global on a key with a scope (422) and shows the setting on the key', async () => {
    const scoped = await world.call('POST', '/api/keys', {
      body: {
        name: 'scoped global',
        role: 'invoke',
        model_ids: [CHAT_MODEL],
        cache: { namespace: 'global' },
      },
    });
    expect(scoped.status).toBe(422);
    const plain = await world.call('POST', '/api/keys', {
      body: { name: 'ttl key', role: 'invoke', cache: { mode: 'read_only', ttl_seconds: 60 } },
    });
    expect(plain.status).toBe(201);
    expect(plain.json.cache).toEqual({ mode: 'read_only', ttl_seconds: 60 });
  });

  it('refuses global on a routing rule from an operator (403), accepts it from an unscoped admin', async () => {
    const operator = await world.newKey({ role: 'operator' });
    const byOperator = await world.call('POST', '/api/providers/routing-rules', {
      body: ruleBody({ namespace: 'global' }),
      key: operator.key,
    });
    expect(byOperator.status).toBe(403);
    expect(byOperator.json.error.code).toBe('cache_namespace_refused');
    const byAdmin = await world.call('POST', '/api/providers/routing-rules', {
      body: ruleBody({ namespace: 'global' }, 'global-only-*'),
    });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.json.cache).toEqual({ namespace: 'global' });
  });

  it('keeps a key of a team in its team namespace even where a rule says global', async () => {
    const team = await world.call('POST', '/api/teams', { body: { name: 'cache team' } });
    expect(team.status, team.text).toBe(201);
    const rule = await world.call('POST', '/api/providers/routing-rules', {
      body: ruleBody({ namespace: 'global' }, 'gpt-4o'),
    });
    expect(rule.status, rule.text).toBe(201);
    try {
      const admin = await ask('team isolation');
      expect(admin.headers.get('x-gateway-cache')).toBe('miss');
      const member = await world.newKey({ team_id: team.json.id });
      const before = world.chatCalls();
      const res = await ask('team isolation', member.key);
      expect(res.headers.get('x-gateway-cache')).toBe('miss');
      expect(world.chatCalls() - before).toBe(1);
      // A second key of the same team shares the team's namespace.
      const mate = await world.newKey({ team_id: team.json.id });
      const shared = await ask('team isolation', mate.key);
      expect(shared.headers.get('x-gateway-cache')).toBe('hit');
    } finally {
      await world.call('DELETE', `/api/providers/routing-rules/${rule.json.id}`);
    }
  });

  it('lets a key or a rule switch the cache off, and a request header never widen a read-only key', async () => {
    const off = await world.newKey({ cache: { mode: 'off' } });
    await ask('switch off', off.key);
    const again = await ask('switch off', off.key);
    expect(again.headers.get('x-gateway-cache')).toBe('bypass');
    const readOnly = await world.newKey({ cache: { mode: 'read_only' } });
    const before = world.chatCalls();
    await ask('read only', readOnly.key, { 'x-gateway-cache': 'refresh' });
    const second = await ask('read only', readOnly.key);
    expect(second.headers.get('x-gateway-cache')).toBe('miss');
    expect(world.chatCalls() - before).toBe(2);
  });
});

describe('DELETE /api/cache', () => {
  it("drops a namespace's entries, and a model's entries in every namespace", async () => {
    const other = await world.newKey();
    await ask('purge me');
    await ask('purge me', other.key);
    const byNamespace = await world.call('DELETE', '/api/cache', { body: { namespace: other.id } });
    expect(byNamespace.status, byNamespace.text).toBe(200);
    expect(byNamespace.json.deleted).toBeGreaterThanOrEqual(1);
    expect((await ask('purge me', other.key)).headers.get('x-gateway-cache')).toBe('miss');
    expect((await ask('purge me')).headers.get('x-gateway-cache')).toBe('hit');
    const byModel = await world.call('DELETE', '/api/cache', { body: { model: CHAT_MODEL } });
    expect(byModel.status).toBe(200);
    expect(byModel.json.namespaces).toBeGreaterThanOrEqual(2);
    expect((await ask('purge me')).headers.get('x-gateway-cache')).toBe('miss');
    expect((await ask('purge me', other.key)).headers.get('x-gateway-cache')).toBe('miss');
  });

  it('refuses a viewer and an invoke key, and answers 404 to a scoped key for a namespace not its own', async () => {
    const viewer = await world.newKey({ role: 'viewer' });
    const invoke = await world.newKey({ role: 'invoke' });
    const victim = await world.newKey();
    await ask('keep mine', victim.key);
    const scoped = await world.newKey({ role: 'operator', model_ids: [CHAT_MODEL] });
    const body = { namespace: victim.id };
    expect((await world.call('DELETE', '/api/cache', { body, key: viewer.key })).status).toBe(403);
    expect((await world.call('DELETE', '/api/cache', { body, key: invoke.key })).status).toBe(403);
    const refused = await world.call('DELETE', '/api/cache', { body, key: scoped.key });
    expect(refused.status).toBe(404);
    const everywhere = await world.call('DELETE', '/api/cache', {
      body: { model: CHAT_MODEL },
      key: scoped.key,
    });
    expect(everywhere.status).toBe(200);
    // The victim's entry survived both attempts.
    expect((await ask('keep mine', victim.key)).headers.get('x-gateway-cache')).toBe('hit');
  });

  it('refuses a body naming neither a namespace nor a model', async () => {
    const res = await world.call('DELETE', '/api/cache', { body: {} });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json.error.code).toBeDefined();
  });
});

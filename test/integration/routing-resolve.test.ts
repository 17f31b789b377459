import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../lib/auth/roles.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { updateModel } from '../../lib/services/models/service.js';
import { updateProvider } from '../../lib/services/providers/service.js';
import { resolveRoute } from '../../lib/services/routing/resolve.js';
import { healRuleRefs } from '../../lib/services/routing/rules/refs.js';
import { getRule, listRules } from '../../lib/services/routing/rules/service.js';
import { keys } from '../../lib/store/keys.js';
import { TestClock } from '../support/clock.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import { addModel, addProvider, addRule } from '../support/routing.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

let h: StoreHarness;
let deps: Gateway;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startStoreHarness({
    env: { ROUTING_CACHE_TTL: '0', PROVIDER_MAX_RETRIES: '2' },
    clock: TestClock.wall(),
  });
  deps = h.deps;
  for (const [name, priority] of [
    ['p1', 50],
    ['p2', 10],
    ['p3', 30],
  ] as const) {
    const p = await addProvider(deps, `res-${name}`, { priority });
    ids[name] = p.id;
    await addModel(deps, p.id, { model_id: 'gpt-4o', capabilities: ['vision'], context_window: 128_000 });
    await addModel(deps, p.id, { model_id: 'gpt-4o-mini', context_window: 16_000 });
  }
});
afterAll(async () => {
  await h.close();
});

const firstIds = async (model: string, extra: Partial<Parameters<typeof resolveRoute>[1]> = {}) =>
  (await resolveRoute(deps, { serviceType: 'llm', model, ...extra })).candidates.map((c) => c.provider.id);

describe('routing: resolution order', () => {
  it('without a rule: every provider serving the model, by provider priority', async () => {
    const route = await resolveRoute(deps, { serviceType: 'llm', model: 'gpt-4o' });
    expect(route.rule).toBeNull();
    expect(route.candidates.map((c) => c.provider.id)).toEqual([ids.p2, ids.p3, ids.p1]);
    expect(route.policy.maxAttempts).toBe(3);
    expect(await firstIds('unknown-model')).toEqual([]);
    expect(await firstIds('gpt-4o', { serviceType: 'embedding' })).toEqual([]);
  });

  it('picks the most specific rule: exact over glob, longer glob over shorter, then priority', async () => {
    const rule = (name: string, pattern: string, priority = 100) =>
      addRule(deps, {
        rule_name: name,
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: pattern,
        provider_ids: [ids.p2!],
        priority,
      });
    const chosen = async (model: string) =>
      (await resolveRoute(deps, { serviceType: 'llm', model })).rule?.rule_name ?? null;
    await rule('any', '*');
    await rule('gpt', 'gpt-*');
    await rule('gpt-4o family', 'gpt-4o*', 200);
    await rule('ends in gpt-4o', '*gpt-4o', 50);
    await rule('mini', 'gpt-4o?mini', 300);
    expect(await chosen('claude-3')).toBe('any');
    expect(await chosen('gpt-3.5')).toBe('gpt');
    expect(await chosen('gpt-4o-2024')).toBe('gpt-4o family');
    // Same specificity (6 literal characters): the lower priority wins.
    expect(await chosen('gpt-4o')).toBe('ends in gpt-4o');
    // Longer beats a better priority.
    expect(await chosen('gpt-4o-mini')).toBe('mini');
    await rule('exact', 'gpt-4o', 999);
    expect(await chosen('gpt-4o')).toBe('exact');
    expect(await firstIds('gpt-4o')).toEqual([ids.p2]);
  });

  it('skips inactive providers and models, out-of-scope keys and missing capabilities', async () => {
    const model = 'skip-model';
    for (const p of ['p1', 'p2', 'p3'])
      await addModel(deps, ids[p]!, { model_id: model, capabilities: ['vision'] });
    await addRule(deps, {
      rule_name: 'skip',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: model,
      provider_ids: [ids.p1!, ids.p2!, ids.p3!],
      retry_policy: { max_attempts: 10, backoff_base_ms: 1, backoff_max_ms: 2 },
    });
    expect(await firstIds(model)).toEqual([ids.p1, ids.p2, ids.p3]);
    expect((await resolveRoute(deps, { serviceType: 'llm', model })).policy.maxAttempts).toBe(3);
    const scoped: Principal = { keyId: 'k', role: 'invoke', providerIds: [ids.p3!] };
    expect(await firstIds(model, { principal: scoped })).toEqual([ids.p3]);
    await updateProvider(deps, {
      id: ids.p1!,
      patch: { status: 'maintenance' },
      principal: ADMIN,
      actor: ACTOR,
    });
    await updateModel(deps, {
      providerId: ids.p3!,
      modelId: model,
      patch: { is_active: false },
      principal: ADMIN,
      actor: ACTOR,
    });
    const route = await resolveRoute(deps, { serviceType: 'llm', model, needs: { tools: true } });
    expect(route.candidates).toEqual([]);
    expect(route.skipped.map((s) => s.reason)).toEqual([
      'provider_inactive',
      'missing_capability',
      'model_inactive',
    ]);
    await updateProvider(deps, { id: ids.p1!, patch: { status: 'active' }, principal: ADMIN, actor: ACTOR });
  });

  it('keeps only the first candidate when the rule disables fallback', async () => {
    await addRule(deps, {
      rule_name: 'solo',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'gpt-4o-mini',
      provider_ids: [ids.p3!, ids.p1!],
      fallback_enabled: false,
    });
    expect(await firstIds('gpt-4o-mini')).toEqual([ids.p3]);
  });

  it('refuses a context longer than the model holds', async () => {
    const route = await resolveRoute(deps, {
      serviceType: 'llm',
      model: 'gpt-4o-mini',
      needs: { contextTokens: 20_000 },
    });
    expect(route.candidates).toEqual([]);
    expect(route.skipped[0]?.reason).toBe('missing_capability');
  });
});

describe('routing rules: scope and reference repair', () => {
  it('hides rules naming providers outside a key scope (404 / absent from lists)', async () => {
    const rule = await addRule(deps, {
      rule_name: 'scoped',
      rule_type: 'round_robin',
      service_type: 'llm',
      model_pattern: 'scoped-*',
      provider_ids: [ids.p1!, ids.p2!],
    });
    const narrow: Principal = { keyId: 'k', role: 'viewer', providerIds: [ids.p1!] };
    await expect(getRule(deps, rule.id, narrow)).rejects.toMatchObject({ statusCode: 404 });
    const listed = await listRules(deps, { limit: 100 }, narrow);
    expect(listed.data.map((r) => r.id)).not.toContain(rule.id);
    expect((await getRule(deps, rule.id, ADMIN)).id).toBe(rule.id);
  });

  it('heals a reference left without its rule', async () => {
    await deps.table.put({
      ...keys.providerRuleRef(ids.p3!, 'rule_orphan'),
      entity: 'rule_ref',
      rule_id: 'rule_orphan',
    });
    const holding = await healRuleRefs(deps, ids.p3!);
    expect(holding).not.toContain('rule_orphan');
    expect(await deps.table.get(keys.providerRuleRef(ids.p3!, 'rule_orphan'))).toBeUndefined();
    expect(holding.length).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRoute } from '../../lib/services/routing/resolve.js';
import { keys } from '../../lib/store/keys.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let openai: { id: string; version: number };
let anthropic: { id: string };
let embedder: { id: string };

const RULES = '/api/providers/routing-rules';

async function provider(name: string, extra: Record<string, unknown> = {}) {
  const res = await gw.call('POST', '/api/providers', {
    body: providerBody(name, { provider_type: 'mock', ...extra }),
  });
  expect(res.status).toBe(201);
  return res.json;
}

async function model(providerId: string, modelId: string) {
  const res = await gw.call('POST', `/api/providers/${providerId}/models`, {
    body: { model_id: modelId, model_type: 'llm' },
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  gw = await startTestGateway({ ROUTING_CACHE_TTL: '3' });
  openai = await provider('rr-openai');
  anthropic = await provider('rr-anthropic');
  embedder = await provider('rr-embed', { service_types: ['embedding'] });
  await model(openai.id, 'gpt-4o');
  await model(openai.id, 'gpt-4o-mini');
  await model(anthropic.id, 'claude-sonnet-4');
});
afterAll(async () => {
  await gw.stop();
});

describe('routing rules: create and read', () => {
  it('creates a rule with per-target models and reads it back', async () => {
    const created = await gw.call('POST', RULES, {
      body: {
        rule_name: 'gpt-4o with Claude fallback',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'gpt-4o',
        targets: [{ provider_id: openai.id }, { provider_id: anthropic.id, model: 'claude-sonnet-4' }],
        retry_policy: { max_attempts: 2, backoff_base_ms: 100, backoff_max_ms: 1_000 },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^rule_/),
      provider_ids: [openai.id, anthropic.id],
      targets: [
        { provider_id: openai.id, model: null, weight: 1 },
        { provider_id: anthropic.id, model: 'claude-sonnet-4', weight: 1 },
      ],
      fallback_enabled: true,
      priority: 100,
      is_active: true,
      version: 1,
      retry_policy: { max_attempts: 2, retry_on: expect.arrayContaining(['server_error', 'rate_limited']) },
    });
    const read = await gw.call('GET', `${RULES}/${created.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created.json);
  });

  it('refuses an unknown provider, an unknown model and a provider of another service type (422)', async () => {
    const base = { rule_name: 'bad', rule_type: 'round_robin', service_type: 'llm' };
    const unknownProvider = await gw.call('POST', RULES, {
      body: { ...base, model_pattern: 'gpt-*', provider_ids: [openai.id, 'prov_01m8bwjkr672zknf0jar5m8r48'] },
    });
    expect(unknownProvider.status).toBe(422);
    expect(unknownProvider.json.error.details).toEqual([
      { field: 'provider prov_01m8bwjkr672zknf0jar5m8r48', message: 'unknown provider' },
    ]);
    const unknownModel = await gw.call('POST', RULES, {
      body: {
        ...base,
        model_pattern: 'gpt-4o',
        targets: [{ provider_id: anthropic.id, model: 'claude-nope' }],
      },
    });
    expect(unknownModel.status).toBe(422);
    expect(unknownModel.json.error.details[0].message).toContain('claude-nope');
    const exactNotServed = await gw.call('POST', RULES, {
      body: { ...base, model_pattern: 'gpt-4o', provider_ids: [openai.id, anthropic.id] },
    });
    expect(exactNotServed.status).toBe(422);
    const wrongService = await gw.call('POST', RULES, {
      body: { ...base, model_pattern: 'text-*', provider_ids: [embedder.id] },
    });
    expect(wrongService.status).toBe(422);
    // Nothing was left behind: no reference blocks the providers.
    const refs = await gw.runtime.deps.table.queryAll({
      partition: keys.provider(anthropic.id).pk,
      skPrefix: keys.providerRuleRefPrefix(),
    });
    expect(refs.map((r) => r.rule_id)).toHaveLength(1);
  });

  it('refuses malformed rules: both target forms, regex patterns, zero weights', async () => {
    const base = { rule_name: 'bad', rule_type: 'weighted', service_type: 'llm', model_pattern: 'gpt-*' };
    const both = await gw.call('POST', RULES, {
      body: { ...base, provider_ids: [openai.id], targets: [{ provider_id: openai.id }] },
    });
    expect(both.status).toBe(422);
    const regex = await gw.call('POST', RULES, {
      body: { ...base, model_pattern: '^gpt.*$', provider_ids: [openai.id] },
    });
    expect(regex.status).toBe(422);
    const zero = await gw.call('POST', RULES, {
      body: { ...base, targets: [{ provider_id: openai.id, weight: 0 }] },
    });
    expect(zero.status).toBe(422);
    const unknownField = await gw.call('POST', RULES, {
      body: { ...base, provider_ids: [openai.id], regex: '.*' },
    });
    expect(unknownField.status).toBe(422);
  });

  it('lists with filters and pagination', async () => {
    for (const [i, type] of (['round_robin', 'weighted', 'round_robin'] as const).entries()) {
      const res = await gw.call('POST', RULES, {
        body: {
          rule_name: `list-${i}`,
          rule_type: type,
          service_type: 'llm',
          model_pattern: `list-${i}-*`,
          provider_ids: [openai.id],
          is_active: i !== 2,
        },
      });
      expect(res.status).toBe(201);
    }
    const rr = await gw.call('GET', `${RULES}?rule_type=round_robin&is_active=true`);
    expect(rr.json.data.map((r: { rule_name: string }) => r.rule_name)).toEqual(['list-0']);
    const first = await gw.call('GET', `${RULES}?limit=2`);
    expect(first.json.data).toHaveLength(2);
    expect(first.json.has_more).toBe(true);
    const second = await gw.call('GET', `${RULES}?limit=100&cursor=${first.json.next_cursor}`);
    const all = [...first.json.data, ...second.json.data].map((r: { id: string }) => r.id);
    expect(new Set(all).size).toBe(all.length);
    expect((await gw.call('GET', `${RULES}?service_type=embedding`)).json.data).toEqual([]);
    expect((await gw.call('GET', `${RULES}?is_active=maybe`)).status).toBe(400);
  });
});

describe('routing rules: optimistic concurrency and references', () => {
  it('answers 409 to a stale version and applies the fresh one', async () => {
    const { json: rule } = await gw.call('POST', RULES, {
      body: {
        rule_name: 'v',
        rule_type: 'round_robin',
        service_type: 'llm',
        model_pattern: 'v-*',
        provider_ids: [openai.id],
      },
    });
    const first = await gw.call('PATCH', `${RULES}/${rule.id}`, { body: { priority: 5, version: 1 } });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ priority: 5, version: 2 });
    const stale = await gw.call('PATCH', `${RULES}/${rule.id}`, { body: { priority: 6, version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: 'version_conflict', details: { current_version: 2 } });
    const staleDelete = await gw.call('DELETE', `${RULES}/${rule.id}?version=1`);
    expect(staleDelete.status).toBe(409);
    const immutable = await gw.call('PATCH', `${RULES}/${rule.id}`, {
      body: { id: 'rule_x', created_at: 'x' },
    });
    expect(immutable.status).toBe(422);
    expect((await gw.call('DELETE', `${RULES}/${rule.id}?version=2`)).status).toBe(204);
    expect((await gw.call('GET', `${RULES}/${rule.id}`)).status).toBe(404);
  });

  it('two admins patching the same version: exactly one wins', async () => {
    const { json: rule } = await gw.call('POST', RULES, {
      body: {
        rule_name: 'race',
        rule_type: 'round_robin',
        service_type: 'llm',
        model_pattern: 'race-*',
        provider_ids: [openai.id],
      },
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map((p) => gw.call('PATCH', `${RULES}/${rule.id}`, { body: { priority: p, version: 1 } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('keeps a provider in use from being deleted (409), until the rule lets go of it', async () => {
    const spare = await provider('rr-spare');
    const { json: rule } = await gw.call('POST', RULES, {
      body: {
        rule_name: 'in use',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'x-*',
        provider_ids: [openai.id, spare.id],
      },
    });
    const refused = await gw.call('DELETE', `/api/providers/${spare.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({
      code: 'provider_in_use',
      details: { routing_rule_ids: [rule.id] },
    });
    const patched = await gw.call('PATCH', `${RULES}/${rule.id}`, { body: { provider_ids: [openai.id] } });
    expect(patched.status).toBe(200);
    expect((await gw.call('DELETE', `/api/providers/${spare.id}`)).status).toBe(204);
    // The other direction: a deleted rule frees its providers.
    const other = await provider('rr-other');
    const { json: r2 } = await gw.call('POST', RULES, {
      body: {
        rule_name: 'r2',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'y-*',
        provider_ids: [other.id],
      },
    });
    expect((await gw.call('DELETE', `/api/providers/${other.id}`)).status).toBe(409);
    expect((await gw.call('DELETE', `${RULES}/${r2.id}`)).status).toBe(204);
    expect((await gw.call('DELETE', `/api/providers/${other.id}`)).status).toBe(204);
  });

  it('refuses a rule naming a provider deleted a moment before (no dangling reference)', async () => {
    const gone = await provider('rr-gone');
    expect((await gw.call('DELETE', `/api/providers/${gone.id}`)).status).toBe(204);
    const res = await gw.call('POST', RULES, {
      body: {
        rule_name: 'late',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'z-*',
        provider_ids: [gone.id],
      },
    });
    expect(res.status).toBe(422);
    const refs = await gw.runtime.deps.table.queryAll({ partition: keys.provider(gone.id).pk });
    expect(refs).toEqual([]);
  });
});

describe('routing rules: a change applies within ROUTING_CACHE_TTL', () => {
  it('resolves with the new rule once the cache expires, not before', async () => {
    const deps = gw.runtime.deps;
    await model(anthropic.id, 'ttl-model');
    await model(openai.id, 'ttl-model');
    const before = await resolveRoute(deps, { serviceType: 'llm', model: 'ttl-model' });
    const { json: rule } = await gw.call('POST', RULES, {
      body: {
        rule_name: 'ttl',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'ttl-model',
        provider_ids: [anthropic.id],
      },
    });
    expect(rule.id).toBeDefined();
    const cached = await resolveRoute(deps, { serviceType: 'llm', model: 'ttl-model' });
    expect(cached.rule).toBeNull();
    expect(cached.candidates.map((c) => c.provider.id)).toEqual(before.candidates.map((c) => c.provider.id));
    await new Promise((r) => setTimeout(r, 3_100));
    const fresh = await resolveRoute(deps, { serviceType: 'llm', model: 'ttl-model' });
    expect(fresh.rule?.id).toBe(rule.id);
    expect(fresh.candidates.map((c) => c.provider.id)).toEqual([anthropic.id]);
  });
});

describe('routing rules: hostile input', () => {
  it('answers every mutated field of create and patch with a 4xx envelope, never a 5xx', async () => {
    const valid = {
      rule_name: 'fuzz',
      rule_type: 'weighted',
      service_type: 'llm',
      model_pattern: 'fuzz-*',
      targets: [{ provider_id: openai.id, model: 'gpt-4o', weight: 2 }],
      fallback_enabled: true,
      retry_policy: { max_attempts: 2, backoff_base_ms: 10, backoff_max_ms: 20, retry_on: ['timeout'] },
      priority: 1,
      is_active: true,
    };
    const { json: rule } = await gw.call('POST', RULES, { body: valid });
    expect(rule.id).toBeDefined();
    const hostile: unknown[] = [
      -1,
      1e308,
      null,
      [],
      {},
      '',
      'a\u0000b',
      'x'.repeat(300_000),
      '#pk = :v OR attribute_exists(sk)',
      '(a+)+$',
      { S: 'injected' },
      [{ provider_id: { S: 'x' } }],
      [{ provider_id: openai.id, weight: -5 }],
    ];
    const statuses = new Set<number>();
    for (const field of Object.keys(valid)) {
      for (const value of hostile) {
        for (const [method, path, body] of [
          ['POST', RULES, { ...valid, [field]: value }],
          ['PATCH', `${RULES}/${rule.id}`, { [field]: value }],
        ] as const) {
          const res = await gw.call(method, path, { body });
          statuses.add(res.status);
          const label = `${method} ${field}=${JSON.stringify(value).slice(0, 40)}`;
          expect(res.status, label).toBeLessThan(500);
          if (res.status >= 400) expect(Object.keys(res.json), label).toEqual(['error']);
        }
      }
    }
    // Only a rule name may hold such text, and it is stored as data.
    expect([...statuses].sort()).toEqual([200, 201, 413, 422]);
    for (const id of ['rule_x', 'RULE#x', '..%2F..', 'rule_01m8bwjkr672zknf0jar5m8r48']) {
      expect((await gw.call('GET', `${RULES}/${id}`)).status).toBe(404);
    }
    expect((await gw.call('GET', `${RULES}?limit=0`)).status).toBe(400);
    expect((await gw.call('GET', `${RULES}?cursor=eyJwayI6IlBST1ZJREVSIn0`)).status).toBe(400);
    // The last text patched in, stored verbatim; nothing else moved.
    expect((await gw.call('GET', `${RULES}/${rule.id}`)).json).toMatchObject({
      rule_name: '(a+)+$',
      priority: 1,
      model_pattern: 'fuzz-*',
    });
  });
});

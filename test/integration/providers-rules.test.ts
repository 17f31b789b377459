import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: 'vllm.internal.test' });
});
afterAll(async () => {
  await gw.stop();
});

describe('providers: upstream address rules at write time', () => {
  it.each([
    'http://api.openai.com/v1',
    'https://127.0.0.1/v1',
    'https://169.254.169.254/latest',
    'https://[::ffff:127.0.0.1]/',
    'https://2130706433/',
    'https://localhost./v1',
    'https://user:pass@api.openai.com/v1',
    'file:///etc/passwd',
    'not a url',
  ])('refuses base_url %s with 422 and stores nothing', async (baseUrl) => {
    const name = `ssrf-${Math.random().toString(36).slice(2)}`;
    const res = await gw.call('POST', '/api/providers', {
      body: providerBody(name, { provider_type: 'custom', base_url: baseUrl }),
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('validation_error');
    const list = await gw.call('GET', '/api/providers?limit=100');
    expect(list.json.data.map((p: { name: string }) => p.name)).not.toContain(name);
  });

  it('accepts a public https host and an operator allow-listed private host', async () => {
    const pub = await gw.call('POST', '/api/providers', {
      body: providerBody('custom-public', {
        provider_type: 'custom',
        base_url: 'https://llm.example.com/v1/',
      }),
    });
    expect(pub.status).toBe(201);
    expect(pub.json.base_url).toBe('https://llm.example.com/v1');
    const allowed = await gw.call('POST', '/api/providers', {
      body: providerBody('custom-private', {
        provider_type: 'custom',
        base_url: 'http://vllm.internal.test:8000/v1',
      }),
    });
    expect(allowed.status).toBe(201);
  });

  it('requires a base_url for custom providers and refuses one for mock', async () => {
    const custom = await gw.call('POST', '/api/providers', {
      body: providerBody('c-none', { provider_type: 'custom' }),
    });
    expect(custom.status).toBe(422);
    const mock = await gw.call('POST', '/api/providers', {
      body: providerBody('m-url', { provider_type: 'mock', base_url: 'https://x.example.com' }),
    });
    expect(mock.status).toBe(422);
  });
});

describe('providers: delete while a routing rule uses it', () => {
  it('answers 409 provider_in_use, and deletes with force=true', async () => {
    const { json: p } = await gw.call('POST', '/api/providers', { body: providerBody('in-use') });
    // The routing-rule service records this reference when a rule names the provider.
    await gw.runtime.deps.table.put({
      ...keys.providerRuleRef(p.id, 'rule_1'),
      entity: 'rule_ref',
      rule_id: 'rule_1',
    });
    const refused = await gw.call('DELETE', `/api/providers/${p.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({
      code: 'provider_in_use',
      details: { routing_rule_ids: ['rule_1'] },
    });
    expect((await gw.call('GET', `/api/providers/${p.id}`)).status).toBe(200);
    const forced = await gw.call('DELETE', `/api/providers/${p.id}?force=true`);
    expect(forced.status).toBe(204);
    expect((await gw.call('GET', `/api/providers/${p.id}`)).status).toBe(404);
  });
});

describe('authentication: one generic 401', () => {
  it('gives the same body for no key, a malformed key and a wrong key, never echoing it', async () => {
    const wrong = 'gk_wrong_key_that_is_long_enough_123';
    const responses = await Promise.all([
      gw.call('GET', '/api/providers', { key: null }),
      gw.call('GET', '/api/providers', { key: 'short' }),
      gw.call('GET', '/api/providers', { key: wrong }),
      gw.call('GET', '/api/providers', { key: null, headers: { 'x-api-key': wrong } }),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
      expect(res.json.error.message).toBe('A valid API key is required.');
      expect(res.text).not.toContain(wrong);
    }
  });

  it('accepts the key as Bearer or as x-api-key (the Anthropic SDK header)', async () => {
    expect(
      (await gw.call('GET', '/api/providers', { key: null, headers: { 'x-api-key': gw.adminKey } })).status,
    ).toBe(200);
  });

  it('serves /health without a key, with version and storage status', async () => {
    const res = await gw.call('GET', '/health', { key: null });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ok', version: expect.any(String), storage: { status: 'ok' } });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers unknown routes and methods with the envelope', async () => {
    const missing = await gw.call('GET', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('route_not_found');
    const method = await gw.call('PUT', '/api/providers');
    expect(method.status).toBe(405);
  });
});

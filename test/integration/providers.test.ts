import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('providers: create, read, update, delete', () => {
  it('creates a provider with defaults and returns it by id', async () => {
    const created = await gw.call('POST', '/api/providers', {
      body: providerBody('crud-one', { rate_limit_rpm: 600, metadata: { team: 'search' } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toMatch(/.+/);
    expect(created.json).toMatchObject({
      name: 'crud-one',
      provider_type: 'openai',
      base_url: 'https://api.openai.com/v1',
      status: 'active',
      is_active: true,
      health_status: 'unknown',
      priority: 100,
      timeout_seconds: 30,
      rate_limit_rpm: 600,
      rate_limit_tpm: null,
      metadata: { team: 'search' },
      version: 1,
    });
    const read = await gw.call('GET', `/api/providers/${created.json.id}`);
    expect(read.status).toBe(200);
    // A read adds the circuit breakers' state, closed for a provider nothing has called.
    const closed = { state: 'closed', opened_at: null, retry_at: null, models: [] };
    expect(read.json).toEqual({ ...created.json, circuit: closed });
  });

  it('patches fields, bumps the version and refuses a stale version with 409', async () => {
    const { json: p } = await gw.call('POST', '/api/providers', { body: providerBody('crud-two') });
    const patched = await gw.call('PATCH', `/api/providers/${p.id}`, {
      body: { version: 1, priority: 5, is_active: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ priority: 5, status: 'inactive', is_active: false, version: 2 });
    const stale = await gw.call('PATCH', `/api/providers/${p.id}`, { body: { version: 1, priority: 6 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('version_conflict');
    const after = await gw.call('GET', `/api/providers/${p.id}`);
    expect(after.json.priority).toBe(5);
  });

  it('of two concurrent updates with the same version exactly one wins', async () => {
    const { json: p } = await gw.call('POST', '/api/providers', { body: providerBody('crud-race') });
    const results = await Promise.all(
      [7, 8].map((priority) =>
        gw.call('PATCH', `/api/providers/${p.id}`, { body: { version: 1, priority } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('renames, freeing the old name and claiming the new one', async () => {
    const { json: a } = await gw.call('POST', '/api/providers', { body: providerBody('rename-from') });
    const renamed = await gw.call('PATCH', `/api/providers/${a.id}`, { body: { name: 'rename-to' } });
    expect(renamed.status).toBe(200);
    expect((await gw.call('POST', '/api/providers', { body: providerBody('rename-from') })).status).toBe(201);
    expect((await gw.call('POST', '/api/providers', { body: providerBody('RENAME-TO') })).status).toBe(409);
  });

  it('deletes a provider with its models, and the name becomes free', async () => {
    const { json: p } = await gw.call('POST', '/api/providers', { body: providerBody('crud-delete') });
    await gw.call('POST', `/api/providers/${p.id}/models`, {
      body: { model_id: 'gpt-4o', model_type: 'llm' },
    });
    const deleted = await gw.call('DELETE', `/api/providers/${p.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await gw.call('GET', `/api/providers/${p.id}`)).status).toBe(404);
    const models = await gw.call('GET', `/api/providers/models?provider_id=${p.id}`);
    expect(models.json.data).toEqual([]);
    expect((await gw.call('POST', '/api/providers', { body: providerBody('crud-delete') })).status).toBe(201);
  });

  it('answers 404 with the envelope for an unknown or malformed id', async () => {
    for (const id of ['prov_01m8bwjkr672zknf0jar5m8r48', 'nope', '%27%3B--']) {
      const res = await gw.call('GET', `/api/providers/${id}`);
      expect(res.status).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'not_found', request_id: expect.any(String) });
    }
  });
});

describe('providers: unique names under concurrency', () => {
  it('20 concurrent creates of one name: exactly one 201, the rest 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        gw.call('POST', '/api/providers', { body: providerBody('Same Name') }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expect(r.json.error.code).toBe('name_taken');
    const list = await gw.call('GET', '/api/providers?limit=100');
    expect(list.json.data.filter((p: { name: string }) => p.name === 'Same Name')).toHaveLength(1);
  });
});

describe('providers: list filters', () => {
  it('filters by provider_type, service_type and status', async () => {
    await gw.call('POST', '/api/providers', {
      body: providerBody('filter-cohere', {
        provider_type: 'cohere',
        service_types: ['rerank', 'embedding'],
      }),
    });
    await gw.call('POST', '/api/providers', {
      body: providerBody('filter-off', { provider_type: 'anthropic', status: 'maintenance' }),
    });
    const cohere = await gw.call('GET', '/api/providers?provider_type=cohere&limit=100');
    expect(cohere.json.data.map((p: { name: string }) => p.name)).toEqual(['filter-cohere']);
    const rerank = await gw.call('GET', '/api/providers?service_type=rerank&limit=100');
    expect(rerank.json.data.map((p: { name: string }) => p.name)).toEqual(['filter-cohere']);
    const maintenance = await gw.call('GET', '/api/providers?status=maintenance&limit=100');
    expect(maintenance.json.data.map((p: { name: string }) => p.name)).toEqual(['filter-off']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';

let gw: TestGateway;
let a: string;
let b: string;

async function provider(name: string, models: string[]): Promise<string> {
  const { json } = await gw.call('POST', '/api/providers', { body: providerBody(name) });
  for (const model_id of models) {
    await gw.call('POST', `/api/providers/${json.id}/models`, { body: { model_id, model_type: 'llm' } });
  }
  return json.id;
}

const ids = (res: { json: { data: Array<Record<string, string>> } }, field: string) =>
  res.json.data.map((item) => item[field]);

beforeAll(async () => {
  gw = await startTestGateway();
  a = await provider('scope-a', ['model-a', 'shared-model']);
  b = await provider('scope-b', ['model-b', 'shared-model']);
});
afterAll(async () => {
  await gw.stop();
});

describe('scope: a key scoped to providers sees and changes only those (404 for the rest)', () => {
  let viewer: MintedKey;
  let operator: MintedKey;
  beforeAll(async () => {
    viewer = await mintKey(gw, { role: 'viewer', provider_ids: [a] });
    operator = await mintKey(gw, { role: 'operator', provider_ids: [a] });
  });

  it('reads its provider and its models, and 404s the other provider exactly like a missing one', async () => {
    expect((await gw.call('GET', `/api/providers/${a}`, { key: viewer.key })).status).toBe(200);
    const other = await gw.call('GET', `/api/providers/${b}`, { key: viewer.key });
    const missing = await gw.call('GET', '/api/providers/prov_01m8bwjkr672zknf0jar5m8r48', {
      key: viewer.key,
    });
    expect(other.status).toBe(404);
    expect(other.json.error.code).toBe(missing.json.error.code);
    expect(other.json.error.message).toBe(missing.json.error.message);
    expect((await gw.call('GET', `/api/providers/${b}/models/model-b`, { key: viewer.key })).status).toBe(
      404,
    );
    expect((await gw.call('GET', `/api/providers/${a}/models/model-a`, { key: viewer.key })).status).toBe(
      200,
    );
  });

  it('lists only its provider and that provider’s models', async () => {
    expect(ids(await gw.call('GET', '/api/providers?limit=100', { key: viewer.key }), 'id')).toEqual([a]);
    const models = await gw.call('GET', '/api/providers/models?limit=100', { key: viewer.key });
    expect(new Set(ids(models, 'provider_id'))).toEqual(new Set([a]));
    const ofB = await gw.call('GET', `/api/providers/models?provider_id=${b}&limit=100`, { key: viewer.key });
    expect(ofB.json.data).toEqual([]);
  });

  it('cannot change, delete or add to another provider (404), nor change a shared provider (403)', async () => {
    const before = (await gw.call('GET', `/api/providers/${b}`)).json;
    const attempts = [
      await gw.call('PATCH', `/api/providers/${b}`, { key: operator.key, body: { priority: 1 } }),
      await gw.call('DELETE', `/api/providers/${b}`, { key: operator.key }),
      await gw.call('POST', `/api/providers/${b}/models`, {
        key: operator.key,
        body: { model_id: 'sneaky', model_type: 'llm' },
      }),
      await gw.call('PATCH', `/api/providers/${b}/models/model-b`, {
        key: operator.key,
        body: { is_active: false },
      }),
      await gw.call('DELETE', `/api/providers/${b}/models/model-b`, { key: operator.key }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect((await gw.call('GET', `/api/providers/${b}`)).json).toEqual(before);
    expect((await gw.call('GET', `/api/providers/${b}/models/model-b`)).json.is_active).toBe(true);
    // Its own provider is shared with every key that may use it: a scoped key cannot change it.
    const ownBefore = (await gw.call('GET', `/api/providers/${a}`)).json;
    const own = await gw.call('PATCH', `/api/providers/${a}`, { key: operator.key, body: { priority: 7 } });
    expect(own.status).toBe(403);
    expect(own.json.error.code).toBe('scoped_key');
    expect((await gw.call('GET', `/api/providers/${a}`)).json).toEqual(ownBefore);
  });

  it('cannot create a provider it would then be unable to see (403 scoped_key), and nothing is stored', async () => {
    const res = await gw.call('POST', '/api/providers', {
      key: operator.key,
      body: providerBody('scoped-orphan'),
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('scoped_key');
    const all = await gw.call('GET', '/api/providers?limit=100');
    expect(all.json.data.map((p: { name: string }) => p.name)).not.toContain('scoped-orphan');
  });
});

describe('scope: a key scoped to models sees only those models', () => {
  it('reads listed models on every provider and 404s the others', async () => {
    const { key } = await mintKey(gw, { role: 'viewer', model_ids: ['shared-model'] });
    expect((await gw.call('GET', `/api/providers/${a}/models/shared-model`, { key })).status).toBe(200);
    expect((await gw.call('GET', `/api/providers/${b}/models/shared-model`, { key })).status).toBe(200);
    expect((await gw.call('GET', `/api/providers/${a}/models/model-a`, { key })).status).toBe(404);
    const listed = await gw.call('GET', '/api/providers/models?limit=100', { key });
    expect(new Set(ids(listed, 'model_id'))).toEqual(new Set(['shared-model']));
  });

  it('combines both scopes: only the listed models of the listed providers', async () => {
    const { key } = await mintKey(gw, { role: 'viewer', provider_ids: [a], model_ids: ['shared-model'] });
    expect((await gw.call('GET', `/api/providers/${a}/models/shared-model`, { key })).status).toBe(200);
    expect((await gw.call('GET', `/api/providers/${b}/models/shared-model`, { key })).status).toBe(404);
    const listed = await gw.call('GET', '/api/providers/models?limit=100', { key });
    expect(
      listed.json.data.map(
        (m: { provider_id: string; model_id: string }) => `${m.provider_id}/${m.model_id}`,
      ),
    ).toEqual([`${a}/shared-model`]);
  });
});

describe('scope: no key can mint or manage a key wider than its own', () => {
  let scopedAdmin: MintedKey;
  beforeAll(async () => {
    scopedAdmin = await mintKey(gw, { role: 'admin', provider_ids: [a] });
  });

  it('refuses an unscoped key, another provider or a wider model scope with 403 key_exceeds_caller', async () => {
    const wider = [
      [{ role: 'viewer' }, ['provider_ids']],
      [{ role: 'viewer', provider_ids: [b] }, ['provider_ids']],
      [{ role: 'admin', provider_ids: [a, b] }, ['provider_ids']],
    ] as const;
    for (const [body, fields] of wider) {
      const res = await gw.call('POST', '/api/keys', {
        key: scopedAdmin.key,
        body: { name: 'wider', ...body },
      });
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'key_exceeds_caller', details: { fields } });
      expect(res.text).not.toMatch(/gk_[A-Za-z0-9_-]{43}/);
    }
    const modelScoped = await mintKey(gw, { role: 'admin', model_ids: ['model-a'] });
    const res = await gw.call('POST', '/api/keys', {
      key: modelScoped.key,
      body: { name: 'wider', role: 'viewer', model_ids: ['model-a', 'model-b'] },
    });
    expect(res.json.error).toMatchObject({ code: 'key_exceeds_caller', details: { fields: ['model_ids'] } });
  });

  it('refuses a key that would outlive or outpace its maker', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const temporary = await mintKey(gw, { role: 'admin', expires_at: expiresAt });
    const forever = await gw.call('POST', '/api/keys', {
      key: temporary.key,
      body: { name: 'x', role: 'viewer' },
    });
    expect(forever.status).toBe(403);
    expect(forever.json.error.details).toEqual({ fields: ['expires_at'] });
    const shorter = await gw.call('POST', '/api/keys', {
      key: temporary.key,
      body: { name: 'x', role: 'viewer', expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(shorter.status).toBe(201);
    const limited = await gw.call('POST', '/api/keys', {
      body: { name: 'x', role: 'admin', rate_limit_rpm: 60 },
    });
    const faster = await gw.call('POST', '/api/keys', {
      key: limited.json.key,
      body: { name: 'x', role: 'viewer', rate_limit_rpm: 600 },
    });
    expect(faster.json.error).toMatchObject({
      code: 'key_exceeds_caller',
      details: { fields: ['rate_limit_rpm'] },
    });
  });

  it('allows a key within its own scope, which then works', async () => {
    const narrower = await mintKey(gw, { role: 'viewer', provider_ids: [a] }, scopedAdmin.key);
    expect((await gw.call('GET', `/api/providers/${a}`, { key: narrower.key })).status).toBe(200);
    expect((await gw.call('GET', `/api/providers/${b}`, { key: narrower.key })).status).toBe(404);
  });

  it('cannot see, rotate or revoke a wider key (404), so it cannot obtain its secret', async () => {
    const unscoped = await mintKey(gw, { role: 'viewer' });
    for (const [method, path] of [
      ['GET', `/api/keys/${unscoped.id}`],
      ['POST', `/api/keys/${unscoped.id}/rotate`],
      ['DELETE', `/api/keys/${unscoped.id}`],
    ] as const) {
      expect((await gw.call(method, path, { key: scopedAdmin.key })).status, `${method} ${path}`).toBe(404);
    }
    const listed = await gw.call('GET', '/api/keys?limit=100', { key: scopedAdmin.key });
    expect(ids(listed, 'id')).not.toContain(unscoped.id);
    expect(
      listed.json.data.every((k: { provider_ids: string[] | null }) => k.provider_ids?.every((p) => p === a)),
    ).toBe(true);
    expect((await gw.call('GET', '/api/providers', { key: unscoped.key })).status).toBe(200);
  });
});

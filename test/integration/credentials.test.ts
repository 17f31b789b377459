import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalKeyProvider } from '../../lib/crypto/local-key-provider.js';
import { reportCredentialRejected, resolveProviderSecret } from '../../lib/services/credentials/resolve.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { fakeProviderKey, SECRET_ARN } from './credentials-fixtures.js';

let gw: TestGateway;
let openai: string;
let bedrock: string;
beforeAll(async () => {
  gw = await startTestGateway();
  openai = (await gw.call('POST', '/api/providers', { body: providerBody('cred-openai') })).json.id;
  bedrock = (
    await gw.call('POST', '/api/providers', {
      body: providerBody('cred-bedrock', { provider_type: 'bedrock' }),
    })
  ).json.id;
});
afterAll(async () => {
  await gw.stop();
});

const create = (providerId: string, body: Record<string, unknown>, key?: string) =>
  gw.call('POST', `/api/providers/${providerId}/credentials`, { body, ...(key ? { key } : {}) });

describe('credentials API: store, list, rotate, revoke', () => {
  it('stores an api_key and answers metadata only, with a 4-character hint', async () => {
    // Prepare
    const value = fakeProviderKey('api');
    // Act
    const res = await create(openai, {
      credential_type: 'api_key',
      credential_value: value,
      name: 'primary',
    });
    // Assess
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^cred_/),
      provider_id: openai,
      destination: 'https://api.openai.com',
      name: 'primary',
      credential_type: 'api_key',
      status: 'active',
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      last_used_at: null,
      expires_at: null,
      hint: value.slice(-4),
      versions: [{ version: 1, status: 'active', created_at: expect.any(String), hint: value.slice(-4) }],
    });
    expect(res.text).not.toContain(value);
  });

  it('lists newest first, pages, and shows last use after a request resolved the key', async () => {
    const { json: provider } = await gw.call('POST', '/api/providers', { body: providerBody('cred-list') });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await create(provider.id, { credential_type: 'api_key', credential_value: fakeProviderKey() })).json
          .id,
      );
    }
    const first = await gw.call('GET', `/api/providers/${provider.id}/credentials?limit=2`);
    expect(first.status).toBe(200);
    expect(first.json.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    expect(first.json.has_more).toBe(true);
    const second = await gw.call(
      'GET',
      `/api/providers/${provider.id}/credentials?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`,
    );
    expect(second.json.data.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    await resolveProviderSecret(gw.runtime.deps, provider);
    const after = await gw.call('GET', `/api/providers/${provider.id}/credentials`);
    expect(after.json.data[0].last_used_at).toEqual(expect.any(String));
  });

  it('rotates: version 2 active, version 1 retiring with its destruction time', async () => {
    const { json: created } = await create(openai, {
      credential_type: 'api_key',
      credential_value: fakeProviderKey(),
    });
    const next = fakeProviderKey('next');
    const res = await gw.call('POST', `/api/providers/credentials/${created.id}/rotate`, {
      body: { credential_value: next },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: created.id, version: 2, status: 'active', hint: next.slice(-4) });
    expect(res.json.versions).toEqual([
      expect.objectContaining({ version: 1, status: 'retiring', destroy_after: expect.any(String) }),
      expect.objectContaining({ version: 2, status: 'active' }),
    ]);
    const grace = Date.parse(res.json.versions[0].destroy_after) - Date.parse(res.json.updated_at);
    expect(grace).toBe(24 * 3_600_000);
    expect(res.text).not.toContain(next);
  });

  it('revokes with 204, then shows the credential revoked and refuses to rotate it', async () => {
    const { json: created } = await create(openai, {
      credential_type: 'api_key',
      credential_value: fakeProviderKey(),
    });
    const res = await gw.call('DELETE', `/api/providers/credentials/${created.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const list = await gw.call('GET', `/api/providers/${openai}/credentials?limit=100`);
    const revoked = list.json.data.find((c: { id: string }) => c.id === created.id);
    expect(revoked).toMatchObject({ status: 'revoked', versions: [{ status: 'revoked' }] });
    const rotate = await gw.call('POST', `/api/providers/credentials/${created.id}/rotate`, {
      body: { credential_value: fakeProviderKey() },
    });
    expect(rotate.status).toBe(409);
    expect(rotate.json.error.code).toBe('credential_revoked');
    expect((await gw.call('DELETE', `/api/providers/credentials/${created.id}`)).status).toBe(204);
  });

  it('shows an upstream 401 on the active version as status invalid', async () => {
    const { json: provider } = await gw.call('POST', '/api/providers', { body: providerBody('cred-401') });
    const { json: created } = await create(provider.id, {
      credential_type: 'api_key',
      credential_value: fakeProviderKey(),
    });
    const resolved = await resolveProviderSecret(gw.runtime.deps, provider);
    expect(await reportCredentialRejected(gw.runtime.deps, created.id, resolved!.keyVersion)).toBe(true);
    const list = await gw.call('GET', `/api/providers/${provider.id}/credentials`);
    expect(list.json.data[0]).toMatchObject({
      id: created.id,
      status: 'invalid',
      versions: [{ status: 'invalid' }],
    });
  });
});

describe('credentials API: types and the rules refused at write time', () => {
  it('accepts aws_iam without a value for bedrock only', async () => {
    const ok = await create(bedrock, { credential_type: 'aws_iam' });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ credential_type: 'aws_iam', version: 1 });
    expect(ok.json.hint).toBeUndefined();
    const wrongProvider = await create(openai, { credential_type: 'aws_iam' });
    expect(wrongProvider.status).toBe(422);
    const withValue = await create(bedrock, {
      credential_type: 'aws_iam',
      credential_value: fakeProviderKey(),
    });
    expect(withValue.status).toBe(422);
  });

  it('accepts a secret_ref under the prefix and refuses anything else with 422', async () => {
    const ok = await create(openai, { credential_type: 'secret_ref', credential_value: SECRET_ARN });
    expect(ok.status).toBe(201);
    expect(ok.json.hint).toBeUndefined();
    expect(ok.text).not.toContain(SECRET_ARN);
    for (const value of [
      SECRET_ARN.replace('ai-gateway/', 'other/'),
      'ai-gateway/openai',
      fakeProviderKey('pasted'),
    ]) {
      const res = await create(openai, { credential_type: 'secret_ref', credential_value: value });
      expect(res.status).toBe(422);
      expect(res.json.error.details[0].field).toBe('credential_value');
      expect(res.text).not.toContain(value);
    }
  });

  it('refuses a missing value, a past expiry, unknown fields and a bad type', async () => {
    const cases: Array<Record<string, unknown>> = [
      { credential_type: 'api_key' },
      { credential_type: 'api_key', credential_value: fakeProviderKey(), expires_at: '2001-01-01T00:00:00Z' },
      { credential_type: 'api_key', credential_value: fakeProviderKey(), version: 7 },
      { credential_type: 'password', credential_value: fakeProviderKey() },
    ];
    for (const body of cases) expect((await create(openai, body)).status).toBe(422);
  });

  it('answers 404 for an unknown or malformed provider or credential id', async () => {
    const missing = 'cred_01m8bwjkr672zknf0jar5m8r48';
    expect((await create('prov_01m8bwjkr672zknf0jar5m8r48', { credential_type: 'aws_iam' })).status).toBe(
      404,
    );
    expect((await gw.call('GET', '/api/providers/nope/credentials')).status).toBe(404);
    const body = { credential_value: fakeProviderKey() };
    expect((await gw.call('POST', `/api/providers/credentials/${missing}/rotate`, { body })).status).toBe(
      404,
    );
    expect((await gw.call('DELETE', `/api/providers/credentials/${missing}`)).status).toBe(404);
  });
});

describe('credentials API: who may do what', () => {
  it('lets read keys list, and only admin keys write', async () => {
    const viewer = (await mintKey(gw, { role: 'viewer' })).key;
    const operator = (await mintKey(gw, { role: 'operator' })).key;
    const { json: created } = await create(openai, {
      credential_type: 'api_key',
      credential_value: fakeProviderKey(),
    });
    expect((await gw.call('GET', `/api/providers/${openai}/credentials`, { key: viewer })).status).toBe(200);
    for (const key of [viewer, operator]) {
      expect((await create(openai, { credential_type: 'aws_iam' }, key)).status).toBe(403);
      const rotate = await gw.call('POST', `/api/providers/credentials/${created.id}/rotate`, {
        body: { credential_value: fakeProviderKey() },
        key,
      });
      expect(rotate.status).toBe(403);
      expect((await gw.call('DELETE', `/api/providers/credentials/${created.id}`, { key })).status).toBe(403);
      expect((await gw.call('POST', '/api/admin/credentials/rewrap', { body: {}, key })).status).toBe(403);
    }
  });

  it('hides the credentials of providers outside a scoped key (404)', async () => {
    const { json: other } = await gw.call('POST', '/api/providers', {
      body: providerBody('cred-scoped-other'),
    });
    const scoped = (await mintKey(gw, { role: 'viewer', provider_ids: [other.id] })).key;
    expect((await gw.call('GET', `/api/providers/${openai}/credentials`, { key: scoped })).status).toBe(404);
    expect((await gw.call('GET', `/api/providers/${other.id}/credentials`, { key: scoped })).status).toBe(
      200,
    );
  });
});

describe('credentials API: master-key re-wrap endpoint', () => {
  it('re-wraps page by page under the new master key, then skips everything', async () => {
    const local = (await gw.runtime.deps.keyProvider()) as LocalKeyProvider;
    await local.addMasterKey();
    const totals = { rewrapped: 0, skipped: 0, failed: 0, scanned: 0 };
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await gw.call('POST', '/api/admin/credentials/rewrap', {
        body: { limit: 3, ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += res.json[k];
      cursor = res.json.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    expect(totals.failed).toBe(0);
    expect(totals.rewrapped).toBe(totals.scanned);
    const again = await gw.call('POST', '/api/admin/credentials/rewrap', { body: { limit: 100 } });
    expect(again.json).toMatchObject({ rewrapped: 0, skipped: totals.scanned, failed: 0, has_more: false });
    const bad = await gw.call('POST', '/api/admin/credentials/rewrap', { body: { cursor: 'not-a-cursor!' } });
    expect(bad.status).toBe(400);
  });
});

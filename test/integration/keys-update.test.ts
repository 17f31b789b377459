/**
 * `PATCH /api/keys/{id}`: a key's name, rate limits and expiry change without a new secret; the
 * authorizer enforces them (it reads the secret items, every live one of which gets the change, a
 * secret a concurrent rotation writes included); role, scope and team never change here; and no
 * caller can make a key wider than its own.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../lib/auth/api-key.js';
import { keys } from '../../lib/store/keys.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';

let gw: TestGateway;

beforeAll(async () => {
  // No authorizer cache: a change applies to the next request.
  gw = await startTestGateway({ MOCK_PROVIDER: 'on', AUTH_CACHE_TTL_SECONDS: '0' });
});
afterAll(() => gw.stop());

const chat = (key: string) =>
  gw.call('POST', '/v1/chat/completions', {
    key,
    body: { model: 'mock-chat', messages: [{ role: 'user', content: 'hello' }] },
  });
const patch = (id: string, body: unknown, key?: string) =>
  gw.call('PATCH', `/api/keys/${id}`, { body, ...(key ? { key } : {}) });

/** The secret item the authorizer reads for `secret`. */
async function secretItemOf(secret: string) {
  const pepper = await gw.runtime.deps.apiKeyPepper();
  return gw.runtime.deps.table.get(keys.apiKeyByHash(hashApiKey(pepper, secret)));
}

describe('PATCH /api/keys/{id}', () => {
  it('raises a rate limit the authorizer enforces at once, renames, and never returns a secret', async () => {
    const key = await mintKey(gw, { role: 'invoke', rate_limit_rpm: 2 });
    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(key.key)).status).toBe(429);

    const res = await patch(key.id, { name: 'batch jobs', rate_limit_rpm: 10, rate_limit_tpm: 500_000 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'batch jobs',
      rate_limit_rpm: 10,
      rate_limit_tpm: 500_000,
      version: 2,
    });
    expect(res.json).not.toHaveProperty('key');
    expect(res.text).not.toContain(key.key);
    expect((await chat(key.key)).status).toBe(200);
    expect(await gw.call('GET', `/api/keys/${key.id}`)).toMatchObject({
      json: { name: 'batch jobs', rate_limit_rpm: 10, version: 2 },
    });
  });

  it('sets an expiry the key stops at, and refuses one in the past', async () => {
    const key = await mintKey(gw, { role: 'invoke' });
    const past = await patch(key.id, { expires_at: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe(422);
    expect(past.json.error.details).toEqual([expect.objectContaining({ field: 'expires_at' })]);
    const soon = new Date(Date.now() + 1_500).toISOString();
    expect((await patch(key.id, { expires_at: soon })).status).toBe(200);
    expect((await chat(key.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_700));
    expect((await chat(key.key)).status).toBe(401);
    // An expired key is not brought back by a PATCH.
    expect(await patch(key.id, { expires_at: null })).toMatchObject({
      status: 409,
      json: { error: { code: 'key_expired' } },
    });
  });

  it('changes no role, scope, team, cache or payload setting, and refuses an empty change', async () => {
    const key = await mintKey(gw, { role: 'viewer' });
    for (const body of [
      { role: 'admin' },
      { provider_ids: ['prov_x'] },
      { team_id: 'team_x' },
      { log_payloads: true },
      { cache: { mode: 'off' } },
      {},
      { version: 1 },
    ]) {
      const res = await patch(key.id, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.code).toBe('validation_error');
    }
    expect(await gw.call('GET', `/api/keys/${key.id}`)).toMatchObject({
      json: { role: 'viewer', version: 1 },
    });
  });

  it('answers 409 to a stale version and to a revoked key', async () => {
    const key = await mintKey(gw, { role: 'viewer' });
    expect((await patch(key.id, { name: 'first', version: 1 })).status).toBe(200);
    expect(await patch(key.id, { name: 'second', version: 1 })).toMatchObject({
      status: 409,
      json: { error: { code: 'version_conflict' } },
    });
    expect((await gw.call('DELETE', `/api/keys/${key.id}`)).status).toBe(204);
    expect(await patch(key.id, { name: 'third' })).toMatchObject({
      status: 409,
      json: { error: { code: 'key_revoked' } },
    });
  });

  it('lets no caller make a key wider than its own: operators are refused, a limited admin cannot lift a limit', async () => {
    const target = await mintKey(gw, { role: 'invoke', rate_limit_rpm: 50 });
    const operator = await mintKey(gw, { role: 'operator' });
    expect((await patch(target.id, { name: 'mine now' }, operator.key)).status).toBe(403);
    const limitedAdmin = await mintKey(gw, { role: 'admin', rate_limit_rpm: 100 });
    const lifted = await patch(target.id, { rate_limit_rpm: null }, limitedAdmin.key);
    expect(lifted).toMatchObject({ status: 403, json: { error: { code: 'key_exceeds_caller' } } });
    expect(lifted.json.error.details.fields).toEqual(['rate_limit_rpm']);
    expect((await patch(target.id, { rate_limit_rpm: 1000 }, limitedAdmin.key)).status).toBe(403);
    expect((await patch(target.id, { rate_limit_rpm: 80 }, limitedAdmin.key)).status).toBe(200);
    // A scoped admin does not see an unscoped key at all.
    const providers = (await gw.call('GET', '/api/providers')).json.data as Array<{ id: string }>;
    const scoped = await mintKey(gw, { role: 'admin', provider_ids: [providers[0]!.id] });
    expect((await patch(target.id, { name: 'x' }, scoped.key)).status).toBe(404);
    expect(await gw.call('GET', `/api/keys/${target.id}`)).toMatchObject({ json: { rate_limit_rpm: 80 } });
  });

  it('reaches both secrets of a key in a rotation grace period, and the secret of a rotation it raced', async () => {
    const key = await mintKey(gw, { role: 'invoke', rate_limit_rpm: 5 });
    const rotated = await gw.call('POST', `/api/keys/${key.id}/rotate?grace_seconds=600`);
    expect(rotated.status).toBe(200);
    const version = rotated.json.version as number;
    expect((await patch(key.id, { rate_limit_rpm: 7, version })).status).toBe(200);
    for (const secret of [key.key, rotated.json.key as string]) {
      expect(await secretItemOf(secret)).toMatchObject({ status: 'active', rate_limit_rpm: 7 });
    }

    // A PATCH that lands after a rotation wrote its record but before it wrote the new secret.
    const table = gw.runtime.deps.table;
    const create = table.create.bind(table);
    const spy = vi.spyOn(table, 'create').mockImplementationOnce(async (item, onExists) => {
      const current = (await gw.call('GET', `/api/keys/${key.id}`)).json;
      expect((await patch(key.id, { rate_limit_rpm: 9, version: current.version })).status).toBe(200);
      return create(item, onExists);
    });
    let raced: string;
    try {
      const again = await gw.call('POST', `/api/keys/${key.id}/rotate`);
      expect(again.status).toBe(200);
      raced = again.json.key;
    } finally {
      spy.mockRestore();
    }
    expect(await secretItemOf(raced)).toMatchObject({ status: 'active', rate_limit_rpm: 9 });
    expect(await gw.call('GET', `/api/keys/${key.id}`)).toMatchObject({ json: { rate_limit_rpm: 9 } });
  });
});

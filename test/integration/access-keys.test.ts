import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { openRawStore } from '../support/store.js';
import { GARBAGE_KEY, type MintedKey, mintKey, unauthorizedShape } from './access-fixtures.js';

let gw: TestGateway;
/** Every secret handed out in this file: none may ever be found in the table. */
const issued: string[] = [];

async function mint(body: Parameters<typeof mintKey>[1], as?: string): Promise<MintedKey> {
  const minted = await mintKey(gw, body, as);
  issued.push(minted.key);
  return minted;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('api keys: the secret is shown once and never stored', () => {
  it('creates the local pepper file on first start, mode 0600', () => {
    expect(statSync(join(gw.runtime.dataDir, 'api-key-pepper')).mode & 0o777).toBe(0o600);
  });

  it('returns the secret in the 201 only; GET and list return metadata without it', async () => {
    const created = await gw.call('POST', '/api/keys', {
      body: { name: 'ci reader', role: 'viewer', rate_limit_rpm: 120 },
    });
    expect(created.status).toBe(201);
    const secret: string = created.json.key;
    issued.push(secret);
    expect(secret).toMatch(/^gk_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({
      name: 'ci reader',
      role: 'viewer',
      status: 'active',
      provider_ids: null,
      model_ids: null,
      rate_limit_rpm: 120,
      expires_at: null,
      created_by: 'key_bootstrap_admin',
      key_hint: `gk_…${secret.slice(-4)}`,
      version: 1,
    });
    const read = await gw.call('GET', `/api/keys/${created.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json).not.toHaveProperty('key');
    expect(read.text).not.toContain(secret);
    const { key: _secret, ...metadata } = created.json;
    expect(read.json).toEqual(metadata);
    const list = await gw.call('GET', '/api/keys?limit=100');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(secret);
    expect(list.json.data.map((k: { id: string }) => k.id)).toContain(created.json.id);
    for (const item of list.json.data) expect(item).not.toHaveProperty('key');
  });

  it('authenticates with Authorization: Bearer and with x-api-key', async () => {
    const { key } = await mint({ role: 'viewer' });
    expect((await gw.call('GET', '/api/providers', { key })).status).toBe(200);
    const viaHeader = await gw.call('GET', '/api/providers', { key: null, headers: { 'x-api-key': key } });
    expect(viaHeader.status).toBe(200);
  });

  it('records last_used_at on first use and not again within the minute', async () => {
    const { id, key } = await mint({ role: 'viewer' });
    expect((await gw.call('GET', `/api/keys/${id}`)).json.last_used_at).toBeNull();
    await gw.call('GET', '/api/providers', { key });
    const first = (await gw.call('GET', `/api/keys/${id}`)).json;
    expect(first.last_used_at).toEqual(expect.any(String));
    await gw.call('GET', '/api/providers', { key });
    const second = (await gw.call('GET', `/api/keys/${id}`)).json;
    expect(second.last_used_at).toBe(first.last_used_at);
    expect(second.version).toBe(first.version);
  });

  it('filters the list by role and status', async () => {
    const invoke = await mint({ role: 'invoke' });
    const revoked = await mint({ role: 'invoke' });
    await gw.call('DELETE', `/api/keys/${revoked.id}`);
    const byRole = (await gw.call('GET', '/api/keys?role=invoke&limit=100')).json.data;
    expect(byRole.every((k: { role: string }) => k.role === 'invoke')).toBe(true);
    const active = (await gw.call('GET', '/api/keys?role=invoke&status=active&limit=100')).json.data;
    expect(active.map((k: { id: string }) => k.id)).toContain(invoke.id);
    expect(active.map((k: { id: string }) => k.id)).not.toContain(revoked.id);
    const gone = (await gw.call('GET', '/api/keys?status=revoked&limit=100')).json.data;
    expect(gone.map((k: { id: string }) => k.id)).toEqual([revoked.id]);
    expect((await gw.call('GET', '/api/keys?status=lost')).status).toBe(400);
  });

  it('refuses bad fields with 422 and stores nothing', async () => {
    const before = (await gw.call('GET', '/api/keys?limit=100')).json.data.length;
    const bad: Array<Record<string, unknown>> = [
      { name: 'x', role: 'root' },
      { name: 'x', role: 'viewer', expires_at: '2001-01-01T00:00:00Z' },
      { name: 'x', role: 'viewer', provider_ids: [] },
      { name: 'x', role: 'viewer', provider_ids: ['not an id'] },
      { name: 'x', role: 'viewer', model_ids: ['a#b'] },
      { name: 'x', role: 'viewer', key: 'gk_chosen_by_caller_000000000000000000000' },
      { name: 'x', role: 'viewer', status: 'revoked' },
      { name: 'x', role: 'viewer', rate_limit_rpm: 0 },
    ];
    for (const body of bad) {
      const res = await gw.call('POST', '/api/keys', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await gw.call('GET', '/api/keys?limit=100')).json.data.length).toBe(before);
  });
});

describe('api keys: revoked and expired keys get the one generic 401', () => {
  it('answers revoked, expired, garbage and missing keys alike, never echoing the key', async () => {
    const revoked = await mint({ role: 'operator' });
    expect((await gw.call('GET', '/api/providers', { key: revoked.key })).status).toBe(200);
    const del = await gw.call('DELETE', `/api/keys/${revoked.id}`);
    expect(del.status).toBe(204);
    const expiring = await mint({ role: 'operator', expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await gw.call('GET', '/api/providers', { key: expiring.key })).status).toBe(200);
    await sleep(1600);
    const answers = {
      revoked: await gw.call('GET', '/api/providers', { key: revoked.key }),
      expired: await gw.call('GET', '/api/providers', { key: expiring.key }),
      garbage: await gw.call('GET', '/api/providers', { key: GARBAGE_KEY }),
      missing: await gw.call('GET', '/api/providers', { key: null }),
      malformed: await gw.call('GET', '/api/providers', { key: 'short' }),
    };
    const reference = unauthorizedShape(answers.garbage);
    expect(reference.status).toBe(401);
    for (const [name, res] of Object.entries(answers)) {
      expect(unauthorizedShape(res), name).toEqual(reference);
      expect(res.text).not.toContain(revoked.key);
      expect(res.text).not.toContain(expiring.key);
      expect(res.text).not.toContain(revoked.key.slice(3, 20));
    }
    expect((await gw.call('GET', `/api/keys/${revoked.id}`)).json).toMatchObject({
      status: 'revoked',
      revoked_at: expect.any(String),
    });
    expect((await gw.call('GET', `/api/keys/${expiring.id}`)).json.status).toBe('expired');
  });

  it('revokes idempotently, 404s an unknown id, and cannot rotate a revoked key back to life', async () => {
    const { id, key } = await mint({ role: 'viewer' });
    expect((await gw.call('DELETE', `/api/keys/${id}`)).status).toBe(204);
    expect((await gw.call('DELETE', `/api/keys/${id}`)).status).toBe(204);
    expect((await gw.call('DELETE', '/api/keys/key_01m8bwjkr672zknf0jar5m8r48')).status).toBe(404);
    const rotated = await gw.call('POST', `/api/keys/${id}/rotate`);
    expect(rotated.status).toBe(409);
    expect(rotated.json.error.code).toBe('key_revoked');
    expect((await gw.call('GET', '/api/providers', { key })).status).toBe(401);
  });
});

describe('api keys: rotation', () => {
  it('shows a new secret once; the old one stops at once by default', async () => {
    const { id, key: old } = await mint({ role: 'viewer' });
    const rotated = await gw.call('POST', `/api/keys/${id}/rotate`);
    expect(rotated.status).toBe(200);
    issued.push(rotated.json.key);
    expect(rotated.json).toMatchObject({ id, role: 'viewer', version: 2, previous_key_valid_until: null });
    expect(rotated.json.key).not.toBe(old);
    expect((await gw.call('GET', '/api/providers', { key: old })).status).toBe(401);
    expect((await gw.call('GET', '/api/providers', { key: rotated.json.key })).status).toBe(200);
    expect((await gw.call('GET', `/api/keys/${id}`)).text).not.toContain(rotated.json.key);
  });

  it('keeps the old secret for grace_seconds; a second rotation or a revoke ends every secret', async () => {
    const { id, key: first } = await mint({ role: 'viewer' });
    const graced = await gw.call('POST', `/api/keys/${id}/rotate?grace_seconds=600`);
    expect(graced.status).toBe(200);
    issued.push(graced.json.key);
    const until = Date.parse(graced.json.previous_key_valid_until);
    expect(until - Date.now()).toBeGreaterThan(590_000);
    expect((await gw.call('GET', '/api/providers', { key: first })).status).toBe(200);
    expect((await gw.call('GET', '/api/providers', { key: graced.json.key })).status).toBe(200);
    const again = await gw.call('POST', `/api/keys/${id}/rotate?grace_seconds=600`);
    issued.push(again.json.key);
    expect((await gw.call('GET', '/api/providers', { key: first })).status).toBe(401);
    expect((await gw.call('GET', '/api/providers', { key: graced.json.key })).status).toBe(200);
    await gw.call('DELETE', `/api/keys/${id}`);
    for (const key of [first, graced.json.key, again.json.key]) {
      expect((await gw.call('GET', '/api/providers', { key })).status).toBe(401);
    }
  });

  it('refuses a grace period beyond an hour and unknown parameters with 400', async () => {
    const { id } = await mint({ role: 'viewer' });
    for (const query of ['grace_seconds=3601', 'grace_seconds=-1', 'grace_seconds=abc', 'surprise=1']) {
      const res = await gw.call('POST', `/api/keys/${id}/rotate?${query}`);
      expect(res.status, query).toBe(400);
    }
  });

  it('of two concurrent rotations exactly one wins; the loser changes nothing', async () => {
    const { id } = await mint({ role: 'viewer' });
    const results = await Promise.all([1, 2].map(() => gw.call('POST', `/api/keys/${id}/rotate`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    issued.push(winner.json.key);
    expect((await gw.call('GET', '/api/providers', { key: winner.json.key })).status).toBe(200);
    expect((await gw.call('GET', `/api/keys/${id}`)).json.version).toBe(2);
  });
});

describe('api keys: the table never holds a secret', () => {
  it('finds none of the secrets handed out, in any item of the table', async () => {
    // Exercise use, rotation and revocation once more so every item type exists.
    const { id, key } = await mint({ role: 'operator' });
    await gw.call('GET', '/api/providers', { key });
    const rotated = await gw.call('POST', `/api/keys/${id}/rotate?grace_seconds=60`);
    issued.push(rotated.json.key);
    await gw.call('DELETE', `/api/keys/${id}`);
    const deps = gw.runtime.deps;
    const raw = openRawStore(deps.config);
    const items = await raw.scan();
    raw.close();
    const dump = JSON.stringify(items);
    const hits = issued.filter((secret) => dump.includes(secret) || dump.includes(secret.slice(3)));
    expect(issued.length).toBeGreaterThan(10);
    expect(items.some((i) => i.entity === 'api_key_secret')).toBe(true);
    expect(hits).toEqual([]);
  });
});

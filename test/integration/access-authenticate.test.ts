import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticate, BOOTSTRAP_KEY_ID } from '../../lib/auth/authenticate.js';
import type { Principal } from '../../lib/auth/roles.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { revokeApiKey, rotateApiKey } from '../../lib/services/api-keys/lifecycle.js';
import { createApiKey } from '../../lib/services/api-keys/service.js';
import { TestClock } from '../support/clock.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

const ADMIN: Principal = { keyId: BOOTSTRAP_KEY_ID, role: 'admin' };
const ACTOR = { keyId: BOOTSTRAP_KEY_ID, requestId: 'req-test', sourceIp: '127.0.0.1' };
const BOOTSTRAP = 'gk_unit_bootstrap_admin_000000000000000';

let h: StoreHarness;
const clock = new TestClock(Date.parse('2026-11-26T12:00:00.000Z'));
/** DynamoDB operations sent, by name, as the real client reports them. */
let calls: string[] = [];

function depsWith(cacheTtl: number): Gateway {
  const deps = h.instance({ env: { AUTH_CACHE_TTL_SECONDS: String(cacheTtl) } });
  deps.table.observe((operation) => calls.push(operation));
  return deps;
}

let uncached: Gateway;
let cached: Gateway;

beforeAll(async () => {
  h = await startStoreHarness({ env: { ADMIN_API_KEY: BOOTSTRAP }, clock });
});
afterAll(async () => {
  await h.close();
});
// Fresh instances per test: each starts with an empty authorizer cache and last-use guard.
beforeEach(() => {
  uncached = depsWith(0);
  cached = depsWith(60);
  calls = [];
});
afterEach(async () => {
  await Promise.all([uncached.close(), cached.close()]);
});

const mint = (deps: Gateway, body: Partial<Parameters<typeof createApiKey>[1]['body']> = {}) =>
  createApiKey(deps, { body: { name: 'unit', role: 'viewer', ...body }, caller: ADMIN, actor: ACTOR });

describe('authenticate: one read per lookup', () => {
  it('authenticates a table-backed key with exactly one GetItem (plus one last_used_at write a minute)', async () => {
    const { id, key } = await mint(uncached, {
      role: 'operator',
      provider_ids: ['prov_01m8bwjkr672zknf0jar5m8r48'],
    });
    calls = [];
    const principal = await authenticate(uncached, key);
    expect(principal).toEqual({
      keyId: id,
      role: 'operator',
      providerIds: ['prov_01m8bwjkr672zknf0jar5m8r48'],
    });
    expect(calls).toEqual(['GetItem', 'UpdateItem']);
    calls = [];
    clock.advance(30_000);
    await authenticate(uncached, key);
    expect(calls).toEqual(['GetItem']);
    calls = [];
    clock.advance(31_000);
    await authenticate(uncached, key);
    expect(calls).toEqual(['GetItem', 'UpdateItem']);
  });

  it('answers null for an unknown key after one GetItem, and the bootstrap key with no read', async () => {
    expect(await authenticate(uncached, 'gk_never_issued_000000000000000000000000')).toBeNull();
    expect(calls).toEqual(['GetItem']);
    calls = [];
    expect(await authenticate(uncached, BOOTSTRAP)).toEqual(ADMIN);
    expect(calls).toEqual([]);
  });

  it('carries rate_limit_rpm on the principal for the rate limiter', async () => {
    const { key } = await mint(uncached, { rate_limit_rpm: 90 });
    expect((await authenticate(uncached, key))?.rateLimitRpm).toBe(90);
  });
});

describe('authenticate: revocation and expiry', () => {
  it('without a cache, stops a revoked key on the very next lookup', async () => {
    const { id, key } = await mint(uncached);
    expect(await authenticate(uncached, key)).not.toBeNull();
    await revokeApiKey(uncached, { id, caller: ADMIN, actor: ACTOR });
    expect(await authenticate(uncached, key)).toBeNull();
  });

  it('with AUTH_CACHE_TTL_SECONDS=60, serves from memory (0 reads) and drops a revoked key once the TTL passes', async () => {
    const { id, key } = await mint(cached);
    expect(await authenticate(cached, key)).not.toBeNull();
    await revokeApiKey(cached, { id, caller: ADMIN, actor: ACTOR });
    calls = [];
    clock.advance(59_000);
    expect(await authenticate(cached, key)).not.toBeNull();
    expect(calls.filter((c) => c === 'GetItem')).toEqual([]);
    clock.advance(1_000);
    expect(await authenticate(cached, key)).toBeNull();
  });

  it('never serves a cached key past its own expiry', async () => {
    const { key } = await mint(cached, { expires_at: new Date(clock.ms + 10_000).toISOString() });
    expect(await authenticate(cached, key)).not.toBeNull();
    clock.advance(10_000);
    expect(await authenticate(cached, key)).toBeNull();
  });

  it('ends a rotated secret after its grace period, even from the cache', async () => {
    const { id, key } = await mint(cached);
    const rotated = await rotateApiKey(cached, { id, graceSeconds: 20, caller: ADMIN, actor: ACTOR });
    expect(await authenticate(cached, key)).not.toBeNull();
    clock.advance(20_000);
    expect(await authenticate(cached, key)).toBeNull();
    expect(await authenticate(cached, rotated.key)).not.toBeNull();
  });
});

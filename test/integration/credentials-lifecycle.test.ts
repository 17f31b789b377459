import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../lib/auth/roles.js';
import type { LocalKeyProvider } from '../../lib/crypto/local-key-provider.js';
import { forgetCredential } from '../../lib/services/credentials/cache.js';
import { reportCredentialRejected } from '../../lib/services/credentials/resolve.js';
import {
  createCredential,
  listCredentials,
  revokeCredential,
  rotateCredential,
} from '../../lib/services/credentials/service.js';
import { secretFor } from '../support/credentials.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import {
  encodings,
  fakeProviderKey,
  newProvider,
  rawCredential,
  rotateTo,
  storeApiKey,
} from './credentials-fixtures.js';

const HOUR = 3_600_000;

let h: StoreHarness;
beforeAll(async () => {
  h = await startStoreHarness({ env: { ROUTING_CACHE_TTL: '60' } });
});
afterAll(async () => {
  await h.close();
});

describe('credentials: create and read', () => {
  it('stores only an envelope: the table item holds no plaintext in any encoding', async () => {
    // Prepare
    const providerId = await newProvider(h.deps);
    const value = fakeProviderKey('store');
    // Act
    const created = await storeApiKey(h.deps, providerId, value);
    // Assess
    expect(created).toMatchObject({
      provider_id: providerId,
      credential_type: 'api_key',
      status: 'active',
      version: 1,
    });
    expect(created.hint).toBe(value.slice(-4));
    const raw = JSON.stringify(await rawCredential(h.deps, created.id));
    for (const form of encodings(value)) expect(raw).not.toContain(form);
    expect(raw).toContain('"alg":"AES-256-GCM/v1"');
    const resolved = await secretFor(h.deps, providerId);
    expect(resolved).toEqual({ credentialId: created.id, keyVersion: 1, type: 'api_key', value });
  });

  it('gives a hint only for api keys of at least 12 characters', async () => {
    const providerId = await newProvider(h.deps);
    const short = await storeApiKey(h.deps, providerId, 'short-key-1');
    expect(short.hint).toBeUndefined();
    const exactly = await storeApiKey(h.deps, providerId, 'twelve-chars');
    expect(exactly.hint).toBe('hars');
  });

  it('keeps the item version (concurrency) apart from the key version exposed as `version`', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    await rotateTo(h.deps, created.id, fakeProviderKey());
    const raw = await rawCredential(h.deps, created.id);
    expect(raw.active_version).toBe(2);
    expect(raw.version).toBe(2);
    await reportCredentialRejected(h.deps, created.id, 2);
    const after = await rawCredential(h.deps, created.id);
    expect(after.active_version).toBe(2);
    expect(after.version).toBe(3);
  });
});

describe('credentials: rotation and grace', () => {
  it('switches new resolutions to the new version at once and keeps the old one decryptable', async () => {
    // Prepare
    const providerId = await newProvider(h.deps);
    const oldValue = fakeProviderKey('old');
    const newValue = fakeProviderKey('new');
    const created = await storeApiKey(h.deps, providerId, oldValue);
    expect((await secretFor(h.deps, providerId))?.value).toBe(oldValue);
    // Act
    const rotated = await rotateTo(h.deps, created.id, newValue);
    // Assess
    expect(rotated.version).toBe(2);
    expect(rotated.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'retiring'],
      [2, 'active'],
    ]);
    expect(rotated.versions[0]?.destroy_after).toBe(new Date(h.clock.now() + 24 * HOUR).toISOString());
    expect(await secretFor(h.deps, providerId)).toMatchObject({ keyVersion: 2, value: newValue });
    const raw = await rawCredential(h.deps, created.id);
    const versions = raw.versions as Array<{ key_version: number; secret?: unknown }>;
    expect(versions.every((v) => v.secret !== undefined)).toBe(true);
  });

  it('hides a retiring version from reads once the grace period has passed, and destroys it on the next resolution', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey('grace-old'));
    await rotateTo(h.deps, created.id, fakeProviderKey());
    h.clock.advance(23 * HOUR);
    let page = await listCredentials(h.deps, { providerId, limit: 10, principal: ADMIN });
    expect(page.data[0]?.versions.map((v) => v.status)).toEqual(['retiring', 'active']);
    h.clock.advance(1 * HOUR);
    page = await listCredentials(h.deps, { providerId, limit: 10, principal: ADMIN });
    expect(page.data[0]?.versions.map((v) => v.version)).toEqual([2]);
    // The list wrote nothing (read routes hold no write grant); the next resolution sweeps.
    expect(((await rawCredential(h.deps, created.id)).versions as unknown[]).length).toBe(2);
    forgetCredential(h.deps, providerId);
    await secretFor(h.deps, providerId);
    expect(((await rawCredential(h.deps, created.id)).versions as unknown[]).length).toBe(1);
  });

  it('refuses a rotation of a revoked credential, and of an aws_iam one', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    await revokeCredential(h.deps, { credentialId: created.id, principal: ADMIN, actor: ACTOR });
    await expect(rotateTo(h.deps, created.id, fakeProviderKey())).rejects.toMatchObject({
      statusCode: 409,
      code: 'credential_revoked',
    });
    const bedrock = await newProvider(h.deps, 'bedrock');
    const iam = await createCredential(h.deps, {
      providerId: bedrock,
      body: { credential_type: 'aws_iam' },
      principal: ADMIN,
      actor: ACTOR,
    });
    await expect(rotateTo(h.deps, iam.id, fakeProviderKey())).rejects.toMatchObject({ statusCode: 422 });
    expect(await secretFor(h.deps, bedrock)).toEqual({
      credentialId: iam.id,
      keyVersion: 1,
      type: 'aws_iam',
    });
  });

  it('bounds the versions kept in their grace period (409 too_many_versions)', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    for (let i = 0; i < 9; i++) {
      await rotateTo(h.deps, created.id, fakeProviderKey());
    }
    await expect(rotateTo(h.deps, created.id, fakeProviderKey())).rejects.toMatchObject({
      statusCode: 409,
      code: 'too_many_versions',
    });
  });

  it('serialises concurrent rotations: each gets its own version, none is lost', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    const values = [fakeProviderKey('a'), fakeProviderKey('b'), fakeProviderKey('c')];
    const results = await Promise.all(
      values.map((v) =>
        rotateCredential(h.deps, { credentialId: created.id, body: { credential_value: v }, actor: ACTOR }),
      ),
    );
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4]);
    const final = await rotateTo(h.deps, created.id, fakeProviderKey('z'));
    expect(final.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('credentials: revoke', () => {
  it('destroys every ciphertext, marks the credential revoked and stops resolving it', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    await rotateTo(h.deps, created.id, fakeProviderKey());
    await revokeCredential(h.deps, { credentialId: created.id, principal: ADMIN, actor: ACTOR });
    const raw = await rawCredential(h.deps, created.id);
    expect(JSON.stringify(raw)).not.toContain('ciphertext');
    expect(JSON.stringify(raw)).not.toContain('wrapped_key');
    const page = await listCredentials(h.deps, { providerId, limit: 10, principal: ADMIN });
    expect(page.data[0]).toMatchObject({
      status: 'revoked',
      versions: [{ status: 'revoked' }, { status: 'revoked' }],
    });
    expect(await secretFor(h.deps, providerId)).toBeNull();
    await revokeCredential(h.deps, { credentialId: created.id, principal: ADMIN, actor: ACTOR });
  });

  it('hides a credential of a provider outside the principal scope (404)', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    const scoped: Principal = { keyId: 'key_scoped', role: 'admin', providerIds: ['prov_other'] };
    await expect(
      revokeCredential(h.deps, { credentialId: created.id, principal: scoped, actor: ACTOR }),
    ).rejects.toMatchObject({ statusCode: 404 });
    await expect(listCredentials(h.deps, { providerId, limit: 10, principal: scoped })).rejects.toMatchObject(
      { statusCode: 404 },
    );
  });
});

describe('credentials: an upstream 401', () => {
  it('marks the active version invalid, visibly, and not a rotated-out one', async () => {
    const providerId = await newProvider(h.deps);
    const created = await storeApiKey(h.deps, providerId, fakeProviderKey());
    expect(await reportCredentialRejected(h.deps, created.id, 1)).toBe(true);
    let page = await listCredentials(h.deps, { providerId, limit: 10, principal: ADMIN });
    expect(page.data[0]?.status).toBe('invalid');
    await rotateTo(h.deps, created.id, fakeProviderKey());
    expect(await reportCredentialRejected(h.deps, created.id, 1)).toBe(false);
    page = await listCredentials(h.deps, { providerId, limit: 10, principal: ADMIN });
    expect(page.data[0]?.status).toBe('active');
    expect(page.data[0]?.versions.map((v) => v.status)).toEqual(['retiring', 'active']);
  });

  it('prefers an active credential over an invalid one, and falls back to the invalid one alone', async () => {
    const providerId = await newProvider(h.deps);
    const first = await storeApiKey(h.deps, providerId, fakeProviderKey('first'));
    h.clock.advance(1); // ids order by creation millisecond
    const second = await storeApiKey(h.deps, providerId, fakeProviderKey('second'));
    expect((await secretFor(h.deps, providerId))?.credentialId).toBe(second.id);
    await reportCredentialRejected(h.deps, second.id, 1);
    expect((await secretFor(h.deps, providerId))?.credentialId).toBe(first.id);
    await reportCredentialRejected(h.deps, first.id, 1);
    expect((await secretFor(h.deps, providerId))?.credentialId).toBe(second.id);
  });

  it('skips expired credentials and shows them as expired', async () => {
    const providerId = await newProvider(h.deps);
    const expiresAt = new Date(h.clock.now() + HOUR).toISOString();
    const created = await createCredential(h.deps, {
      providerId,
      body: { credential_type: 'api_key', credential_value: fakeProviderKey(), expires_at: expiresAt },
      principal: ADMIN,
      actor: ACTOR,
    });
    expect((await secretFor(h.deps, providerId))?.credentialId).toBe(created.id);
    h.clock.advance(HOUR);
    expect(await secretFor(h.deps, providerId)).toBeNull();
    const page = await listCredentials(h.deps, { providerId, limit: 10, principal: ADMIN });
    expect(page.data[0]?.status).toBe('expired');
  });
});

describe('credentials: local master key', () => {
  it('keeps the master key file under DATA_DIR with mode 0600', async () => {
    const provider = (await h.deps.keyProvider()) as LocalKeyProvider;
    const { statSync } = await import('node:fs');
    expect(provider.path.startsWith(h.dataDir)).toBe(true);
    expect(statSync(provider.path).mode & 0o777).toBe(0o600);
  });
});

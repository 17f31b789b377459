import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveProviderSecret } from '../../lib/services/credentials/resolve.js';
import { rotateCredential } from '../../lib/services/credentials/service.js';
import { toProvider } from '../../lib/services/providers/mapper.js';
import { loadProviderItem } from '../../lib/services/providers/service.js';
import { type FakeKms, installFakeKms } from '../fakes/kms.js';
import { secretFor } from '../support/credentials.js';
import { ACTOR } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { fakeProviderKey, newProvider, rawCredential, storeApiKey } from './credentials-fixtures.js';

let fake: FakeKms;
let h: StoreHarness;
/** DynamoDB commands sent since the last reset, by command name. */
let dynamoCalls: string[] = [];

beforeAll(async () => {
  fake = installFakeKms();
  h = await startStoreHarness({
    keyProvider: fake.provider(),
    env: { CREDENTIAL_CACHE_TTL_SECONDS: '300', CREDENTIAL_CACHE_MAX_USES: '5000', ROUTING_CACHE_TTL: '60' },
  });
  h.deps.table.observe((operation) => dynamoCalls.push(operation));
});
afterAll(async () => {
  await h.close();
  fake.kms.restore();
});
beforeEach(() => {
  fake.reset();
  dynamoCalls = [];
});

async function credentialFor(value: string) {
  const providerId = await newProvider(h.deps);
  const created = await storeApiKey(h.deps, providerId, value);
  fake.reset();
  dynamoCalls = [];
  return { providerId, credentialId: created.id };
}

describe('resolveProviderSecret: steady state', () => {
  it('makes 0 KMS and 0 DynamoDB calls per request once warm (1,000 requests measured)', async () => {
    // Prepare
    const value = fakeProviderKey('steady');
    const { providerId } = await credentialFor(value);
    const provider = toProvider(await loadProviderItem(h.deps, providerId));
    dynamoCalls = [];
    // Act: the first request warms the caches
    expect((await resolveProviderSecret(h.deps, provider))?.value).toBe(value);
    const coldKms = fake.count('Decrypt');
    const coldDynamo = dynamoCalls.length;
    dynamoCalls = [];
    for (let i = 0; i < 1_000; i++) {
      expect((await resolveProviderSecret(h.deps, provider))?.value).toBe(value);
    }
    // Assess
    expect(coldKms).toBe(1);
    expect(coldDynamo).toBe(2); // one gsi1 query, one last_used_at update
    expect(fake.count('Decrypt') - coldKms).toBe(0);
    expect(fake.count('GenerateDataKey')).toBe(0);
    expect(dynamoCalls).toEqual([]);
  });

  it('shares one decrypt and one query among 100 concurrent cold requests', async () => {
    const value = fakeProviderKey('burst');
    const { providerId } = await credentialFor(value);
    const results = await Promise.all(Array.from({ length: 100 }, () => secretFor(h.deps, providerId)));
    expect(results.every((r) => r?.value === value)).toBe(true);
    expect(fake.count('Decrypt')).toBe(1);
    expect(dynamoCalls.filter((c) => c === 'Query')).toHaveLength(1);
  });

  it('decrypts again once the entry is older than CREDENTIAL_CACHE_TTL_SECONDS', async () => {
    const { providerId } = await credentialFor(fakeProviderKey());
    await secretFor(h.deps, providerId);
    h.clock.advance(299_000);
    await secretFor(h.deps, providerId);
    expect(fake.count('Decrypt')).toBe(1);
    h.clock.advance(1_000);
    await secretFor(h.deps, providerId);
    expect(fake.count('Decrypt')).toBe(2);
  });

  it('re-reads the records after ROUTING_CACHE_TTL, without a KMS call', async () => {
    const { providerId } = await credentialFor(fakeProviderKey());
    await secretFor(h.deps, providerId);
    dynamoCalls = [];
    h.clock.advance(60_000);
    await secretFor(h.deps, providerId);
    expect(dynamoCalls.filter((c) => c === 'Query')).toHaveLength(1);
    expect(fake.count('Decrypt')).toBe(1);
  });

  it('drops the cached value at once when this container rotates the credential', async () => {
    const { providerId, credentialId } = await credentialFor(fakeProviderKey('before'));
    await secretFor(h.deps, providerId);
    const next = fakeProviderKey('after');
    await rotateCredential(h.deps, { credentialId, body: { credential_value: next }, actor: ACTOR });
    expect(await secretFor(h.deps, providerId)).toMatchObject({ keyVersion: 2, value: next });
  });
});

describe('resolveProviderSecret: bounded use count', () => {
  it('decrypts again after CREDENTIAL_CACHE_MAX_USES requests', async () => {
    const local = await startStoreHarness({
      keyProvider: fake.provider(),
      env: { CREDENTIAL_CACHE_MAX_USES: '5' },
    });
    try {
      const providerId = await newProvider(local.deps);
      await storeApiKey(local.deps, providerId, fakeProviderKey());
      fake.reset();
      for (let i = 0; i < 5; i++) await secretFor(local.deps, providerId);
      expect(fake.count('Decrypt')).toBe(1);
      await secretFor(local.deps, providerId);
      expect(fake.count('Decrypt')).toBe(2);
    } finally {
      await local.close();
    }
  });
});

describe('resolveProviderSecret: last_used_at', () => {
  it('is written at most once a minute and does not bump the item version', async () => {
    const { providerId, credentialId } = await credentialFor(fakeProviderKey());
    const start = new Date(h.clock.now()).toISOString();
    for (let i = 0; i < 20; i++) await secretFor(h.deps, providerId);
    let raw = await rawCredential(h.deps, credentialId);
    expect(raw.last_used_at).toBe(start);
    expect(raw.version).toBe(1);
    h.clock.advance(59_000);
    await secretFor(h.deps, providerId);
    raw = await rawCredential(h.deps, credentialId);
    expect(raw.last_used_at).toBe(start);
    h.clock.advance(1_000);
    await secretFor(h.deps, providerId);
    raw = await rawCredential(h.deps, credentialId);
    expect(raw.last_used_at).toBe(new Date(h.clock.now()).toISOString());
    expect(dynamoCalls.filter((c) => c === 'UpdateItem')).toHaveLength(2);
  });
});

describe('resolveProviderSecret: a probe is not a use', () => {
  it('leaves last_used_at alone with recordUse: false', async () => {
    const { providerId, credentialId } = await credentialFor(fakeProviderKey());
    await secretFor(h.deps, providerId, { recordUse: false });
    expect((await rawCredential(h.deps, credentialId)).last_used_at).toBeUndefined();
    expect(dynamoCalls.filter((c) => c === 'UpdateItem')).toHaveLength(0);
  });
});

describe('resolveProviderSecret: no credential', () => {
  it('answers null for a provider without credentials', async () => {
    const providerId = await newProvider(h.deps);
    expect(await secretFor(h.deps, providerId)).toBeNull();
  });
});

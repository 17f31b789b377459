import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '../../../lib/crypto/envelope.js';
import type { EncryptionContext } from '../../../lib/crypto/key-provider.js';
import { LocalKeyProvider } from '../../../lib/crypto/local-key-provider.js';
import { SecretCache, type SecretCacheOptions } from '../../../lib/crypto/secret-cache.js';
import { ConfigError } from '../../../lib/errors.js';
import { CANARY, CONTEXT, useTempDir } from './fixtures.js';

const KEY = { credentialId: 'cred_01', version: '1' };

/** A manually advanced clock in milliseconds. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** A loader that counts its calls and returns `value-<n>`. */
function countingLoader(): { load: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    load: async () => {
      calls += 1;
      return `value-${calls}`;
    },
    calls: () => calls,
  };
}

/** A promise settled from outside, to hold a load in flight. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function cache(options: Partial<SecretCacheOptions> = {}): SecretCache {
  return new SecretCache({ maxAgeMs: 60_000, maxUses: 1_000, maxEntries: 100, ...options });
}

describe('SecretCache: bounds', () => {
  it('serves an entry until it is maxAgeMs old, then loads again', async () => {
    const c = clock();
    const sc = cache({ maxAgeMs: 5_000, now: c.now });
    const loader = countingLoader();
    expect(await sc.getOrLoad(KEY, loader.load)).toBe('value-1');
    c.advance(4_999);
    expect(await sc.getOrLoad(KEY, loader.load)).toBe('value-1');
    c.advance(1);
    expect(await sc.getOrLoad(KEY, loader.load)).toBe('value-2');
    expect(loader.calls()).toBe(2);
  });

  it('hands an entry out at most maxUses times (the loading call counts), then loads again', async () => {
    const sc = cache({ maxUses: 3 });
    const loader = countingLoader();
    const seen = [];
    for (let i = 0; i < 7; i += 1) seen.push(await sc.getOrLoad(KEY, loader.load));
    expect(seen).toEqual(['value-1', 'value-1', 'value-1', 'value-2', 'value-2', 'value-2', 'value-3']);
    expect(loader.calls()).toBe(3);
  });

  it('never caches when maxUses is 1', async () => {
    const sc = cache({ maxUses: 1 });
    const loader = countingLoader();
    await sc.getOrLoad(KEY, loader.load);
    await sc.getOrLoad(KEY, loader.load);
    expect(loader.calls()).toBe(2);
    expect(sc.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const sc = cache({ maxEntries: 2 });
    const loader = countingLoader();
    const a = { credentialId: 'a', version: '1' };
    const b = { credentialId: 'b', version: '1' };
    const d = { credentialId: 'd', version: '1' };
    await sc.getOrLoad(a, loader.load);
    await sc.getOrLoad(b, loader.load);
    await sc.getOrLoad(a, loader.load); // a is now the most recent
    await sc.getOrLoad(d, loader.load); // evicts b
    expect(sc.size).toBe(2);
    expect(loader.calls()).toBe(3);
    expect(await sc.getOrLoad(a, loader.load)).toBe('value-1');
    expect(await sc.getOrLoad(b, loader.load)).toBe('value-4');
  });

  it('keeps versions apart and is not fooled by separators in ids', async () => {
    const sc = cache();
    const loader = countingLoader();
    await sc.getOrLoad({ credentialId: 'c', version: '1' }, loader.load);
    await sc.getOrLoad({ credentialId: 'c', version: '2' }, loader.load);
    await sc.getOrLoad({ credentialId: 'a:b', version: 'c' }, loader.load);
    await sc.getOrLoad({ credentialId: 'a', version: 'b:c' }, loader.load);
    expect(loader.calls()).toBe(4);
  });

  it.each([
    ['maxAgeMs', { maxAgeMs: 0 }],
    ['maxUses', { maxUses: -1 }],
    ['maxEntries', { maxEntries: 1.5 }],
  ])('refuses a bad %s', (_name, bad) => {
    expect(() => cache(bad)).toThrow(ConfigError);
  });
});

describe('SecretCache: concurrent loads', () => {
  it('runs the loader once for 50 concurrent callers of a cold key', async () => {
    // Prepare
    const sc = cache();
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls += 1;
      return gate.promise;
    };
    // Act
    const pending = Array.from({ length: 50 }, () => sc.getOrLoad(KEY, loader));
    gate.resolve('secret');
    const values = await Promise.all(pending);
    // Assess
    expect(calls).toBe(1);
    expect(values).toEqual(Array(50).fill('secret'));
    expect(await sc.getOrLoad(KEY, loader)).toBe('secret');
    expect(calls).toBe(1);
  });

  it('shares a failed load with every waiter, caches nothing, and retries on the next call', async () => {
    const sc = cache();
    const gate = deferred<string>();
    let calls = 0;
    const pending = Array.from({ length: 10 }, () =>
      sc.getOrLoad(KEY, () => {
        calls += 1;
        return gate.promise;
      }),
    );
    gate.reject(new Error('kms down'));
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    expect(await sc.getOrLoad(KEY, async () => 'recovered')).toBe('recovered');
  });

  it('counts callers that shared a load as uses', async () => {
    const sc = cache({ maxUses: 5 });
    const loader = countingLoader();
    await Promise.all(Array.from({ length: 5 }, () => sc.getOrLoad(KEY, loader.load)));
    await sc.getOrLoad(KEY, loader.load);
    expect(loader.calls()).toBe(2);
  });
});

describe('SecretCache: invalidate', () => {
  it('drops every version of one credential and keeps the others', async () => {
    const sc = cache();
    const loader = countingLoader();
    const v1 = { credentialId: 'cred_01', version: '1' };
    const v2 = { credentialId: 'cred_01', version: '2' };
    const other = { credentialId: 'cred_02', version: '1' };
    for (const key of [v1, v2, other]) await sc.getOrLoad(key, loader.load);
    expect(sc.invalidate('cred_01')).toBe(2);
    expect(await sc.getOrLoad(other, loader.load)).toBe('value-3');
    expect(await sc.getOrLoad(v1, loader.load)).toBe('value-4');
    expect(await sc.getOrLoad(v2, loader.load)).toBe('value-5');
  });

  it('does not cache a load that was in flight when the credential was invalidated', async () => {
    const sc = cache();
    const gate = deferred<string>();
    const stale = sc.getOrLoad(KEY, () => gate.promise);
    sc.invalidate(KEY.credentialId);
    const fresh = sc.getOrLoad(KEY, async () => 'new-value');
    gate.resolve('old-value');
    expect(await stale).toBe('old-value');
    expect(await fresh).toBe('new-value');
    expect(await sc.getOrLoad(KEY, async () => 'unexpected')).toBe('new-value');
  });
});

describe('SecretCache in front of decryptSecret', () => {
  const temp = useTempDir();

  it('makes 1 data-key decrypt for 50 concurrent requests and 0 in steady state', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    let unwraps = 0;
    const unwrap = provider.decryptDataKey.bind(provider);
    provider.decryptDataKey = (wrapped: Buffer, keyId: string, context: EncryptionContext) => {
      unwraps += 1;
      return unwrap(wrapped, keyId, context);
    };
    const sc = cache();
    const key = { credentialId: CONTEXT.credential_id, version: CONTEXT.version };
    const load = () => decryptSecret(secret, CONTEXT, provider);
    const burst = await Promise.all(Array.from({ length: 50 }, () => sc.getOrLoad(key, load)));
    expect(unwraps).toBe(1);
    for (let i = 0; i < 100; i += 1) await sc.getOrLoad(key, load);
    expect(unwraps).toBe(1);
    expect(new Set(burst)).toEqual(new Set([CANARY]));
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probeSecretMaxAgeSeconds } from '../../lib/services/credentials/cache.js';
import { rotateCredential } from '../../lib/services/credentials/service.js';
import { runHealthChecks } from '../../lib/services/health/scheduled.js';
import { type FakeUpstream, startFakeUpstream } from '../fakes/health-upstream.js';
import { type FakeKms, installFakeKms } from '../fakes/kms.js';
import { ACTOR } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { fakeProviderKey, storeApiKey } from './credentials-fixtures.js';
import { healthProvider, healthStore, T0 } from './health-fixtures.js';

const INTERVAL_MS = 300_000;
let fake: FakeKms;
let upstream: FakeUpstream;
let h: StoreHarness;

beforeAll(async () => {
  fake = installFakeKms();
  upstream = await startFakeUpstream('up');
  const base = healthStore();
  // The request path's caches as deployed: records 60 s, decrypted values 300 s (= the interval).
  h = await startStoreHarness({
    ...base,
    keyProvider: fake.provider(),
    env: {
      ...base.env,
      HEALTH_CHECK_INTERVAL: '300',
      CREDENTIAL_CACHE_TTL_SECONDS: '300',
      ROUTING_CACHE_TTL: '600',
    },
  });
});
afterAll(async () => {
  await h.close();
  await upstream.close();
  fake.kms.restore();
});
beforeEach(() => {
  fake.reset();
  upstream.requests.length = 0;
});

/** Runs the scheduled health check of slot `n` (the clock set to it). */
async function runAt(n: number) {
  const time = T0 + n * INTERVAL_MS;
  h.clock.set(time);
  return runHealthChecks(h.deps, {
    runId: `run-${n}`,
    scheduledAt: new Date(time).toISOString(),
    budgetMs: 10_000,
  });
}

const sentKeys = () => upstream.requests.map((r) => String(r.headers.authorization ?? ''));

describe('health runs: decrypted credentials last across runs, rotations are seen at once', () => {
  it('decrypts a credential once for four runs five minutes apart, not once a run', async () => {
    // Prepare
    const providerId = await healthProvider(h.deps, 'cache-runs', upstream.url, 'openai');
    const value = fakeProviderKey('runs');
    await storeApiKey(h.deps, providerId, value);
    fake.reset();
    // Act
    for (let n = 0; n < 4; n++) await runAt(n);
    // Assess: every run probed with the key; one KMS Decrypt in all
    expect(sentKeys()).toEqual(Array(4).fill(`Bearer ${value}`));
    expect(fake.count('Decrypt')).toBe(1);
    await runAt(5); // past 4 runs: the value is decrypted again (the cache stays bounded)
    expect(fake.count('Decrypt')).toBe(2);
  });

  it('probes with the new value on the first run after a rotation (made by any container)', async () => {
    // Prepare
    const providerId = await healthProvider(h.deps, 'cache-rotate', upstream.url, 'openai');
    const before = fakeProviderKey('before');
    const created = await storeApiKey(h.deps, providerId, before);
    await runAt(10);
    // Act: rotate through another instance (this one's caches are not told)
    const other = h.instance();
    const after = fakeProviderKey('after');
    await rotateCredential(other, {
      credentialId: created.id,
      body: { credential_value: after },
      actor: ACTOR,
    });
    await runAt(11);
    // Assess
    const mine = sentKeys().filter((k) => k === `Bearer ${before}` || k === `Bearer ${after}`);
    expect(mine).toEqual([`Bearer ${before}`, `Bearer ${after}`]);
  });

  it('keeps a probe value at least one interval, and at least the request path TTL', () => {
    expect(probeSecretMaxAgeSeconds({ HEALTH_CHECK_INTERVAL: 300, CREDENTIAL_CACHE_TTL_SECONDS: 300 })).toBe(
      1_260,
    );
    expect(
      probeSecretMaxAgeSeconds({ HEALTH_CHECK_INTERVAL: 7_200, CREDENTIAL_CACHE_TTL_SECONDS: 300 }),
    ).toBe(7_260);
    expect(probeSecretMaxAgeSeconds({ HEALTH_CHECK_INTERVAL: 5, CREDENTIAL_CACHE_TTL_SECONDS: 3_600 })).toBe(
      3_600,
    );
  });
});

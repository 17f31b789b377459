import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptSecret, type EncryptedSecret } from '../../lib/crypto/envelope.js';
import { KmsUnavailableError } from '../../lib/crypto/errors.js';
import type { KeyProvider } from '../../lib/crypto/key-provider.js';
import type { LocalKeyProvider } from '../../lib/crypto/local-key-provider.js';
import type { RewrapReport } from '../../lib/schemas/credentials.js';
import { contextOf, fromItem } from '../../lib/services/credentials/record.js';
import { type RewrapOptions, rewrapCredentials } from '../../lib/services/credentials/rewrap.js';
import {
  createCredential,
  revokeCredential,
  rotateCredential,
} from '../../lib/services/credentials/service.js';
import { keys } from '../../lib/store/keys.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { CountingKeyProvider, fakeProviderKey, newProvider, storeApiKey } from './credentials-fixtures.js';

/** Counts re-wraps per version and fails (KMS throttled) after `failAfter` successful ones. */
class FlakyKeyProvider extends CountingKeyProvider {
  readonly perVersion = new Map<string, number>();
  failAfter = Number.POSITIVE_INFINITY;
  override async rewrapDataKey(...args: Parameters<KeyProvider['rewrapDataKey']>) {
    if (this.calls.rewrap >= this.failAfter) throw new KmsUnavailableError();
    const wrapped = await super.rewrapDataKey(...args);
    const context = args[3];
    const id = `${context.credential_id}#${context.version}`;
    this.perVersion.set(id, (this.perVersion.get(id) ?? 0) + 1);
    return wrapped;
  }
}

let h: StoreHarness;
let local: LocalKeyProvider;
let flaky: FlakyKeyProvider;
let values: Map<string, string>;

/** 12 credentials over 3 providers (6 rotated once: 18 versions); plus a revoked and an aws_iam one. */
async function seed(): Promise<number> {
  let versions = 0;
  for (let p = 0; p < 3; p++) {
    const providerId = await newProvider(h.deps);
    for (let c = 0; c < 4; c++) {
      const value = fakeProviderKey(`seed${p}${c}`);
      const { id } = await storeApiKey(h.deps, providerId, value);
      h.clock.advance(1);
      versions += 1;
      values.set(`${id}#1`, value);
      if (c % 3 === 0) {
        const next = fakeProviderKey(`seed${p}${c}r`);
        await rotateCredential(h.deps, { credentialId: id, body: { credential_value: next }, actor: ACTOR });
        values.set(`${id}#2`, next);
        versions += 1;
      }
    }
  }
  const revokedProvider = await newProvider(h.deps);
  const revoked = await storeApiKey(h.deps, revokedProvider, fakeProviderKey());
  await revokeCredential(h.deps, { credentialId: revoked.id, principal: ADMIN, actor: ACTOR });
  const bedrock = await newProvider(h.deps, 'bedrock');
  await createCredential(h.deps, {
    providerId: bedrock,
    body: { credential_type: 'aws_iam' },
    principal: ADMIN,
    actor: ACTOR,
  });
  return versions;
}

/** Every stored version with ciphertext: its key id, and whether it decrypts to the seeded value. */
async function audit(): Promise<Array<{ id: string; keyId: string; decrypts: boolean }>> {
  const items = await h.deps.table.queryAll({ index: 'gsi2', partition: keys.credentialsPartition() });
  const out: Array<{ id: string; keyId: string; decrypts: boolean }> = [];
  for (const record of items.map(fromItem)) {
    for (const v of record.versions) {
      if (!v.secret) continue;
      const id = `${record.id}#${v.key_version}`;
      const plain = await decryptSecret(v.secret as EncryptedSecret, contextOf(record, v.key_version), local);
      out.push({ id, keyId: v.secret.key_id, decrypts: plain === values.get(id) });
    }
  }
  return out;
}

/** Runs page after page until done (or an error), summing the reports. */
async function runAll(options: RewrapOptions = {}): Promise<{ total: RewrapReport; error?: unknown }> {
  const total: RewrapReport = {
    credentials: 0,
    scanned: 0,
    rewrapped: 0,
    skipped: 0,
    failed: 0,
    destroyed: 0,
    failures: [],
    next_cursor: null,
    has_more: false,
  };
  let cursor: string | undefined = options.cursor;
  try {
    do {
      const page = await rewrapCredentials(h.deps, { limit: 5, ...options, cursor });
      for (const k of ['credentials', 'scanned', 'rewrapped', 'skipped', 'failed', 'destroyed'] as const)
        total[k] += page[k];
      total.failures.push(...page.failures);
      total.next_cursor = page.next_cursor;
      cursor = page.next_cursor ?? undefined;
      if (options.signal?.aborted) break;
    } while (cursor);
  } catch (error) {
    return { total, error };
  }
  return { total };
}

beforeEach(async () => {
  h = await startStoreHarness();
  local = (await h.deps.keyProvider()) as LocalKeyProvider;
  flaky = new FlakyKeyProvider(local);
  h.deps.keyProvider = async () => flaky;
  values = new Map();
});
afterEach(async () => {
  await h.close();
});
afterAll(() => undefined);

describe('rewrap: master key rotation', () => {
  it('stopped halfway and run again: every credential decrypts, each version wrapped once under the new key', async () => {
    // Prepare
    const versions = await seed();
    const oldKey = local.currentKeyId();
    const newKey = await local.addMasterKey();
    flaky.failAfter = 7;
    // Act 1: KMS starts throttling after 7 re-wraps; the run stops there
    const first = await runAll();
    expect(first.error).toBeInstanceOf(KmsUnavailableError);
    // Assess 1: nothing broken, each record entirely old or entirely new
    const mid = await audit();
    expect(mid).toHaveLength(versions);
    expect(mid.every((v) => v.decrypts)).toBe(true);
    // Records are visited in id order with 2,1,1,2,2,... versions: 7 re-wraps finish 4 records (6
    // versions) and the first version of the 5th, whose write never happens.
    const done = mid.filter((v) => v.keyId === newKey).length;
    expect(versions).toBe(18);
    expect(done).toBe(6);
    expect(mid.filter((v) => v.keyId !== newKey).every((v) => v.keyId === oldKey)).toBe(true);
    // Act 2: run again with KMS healthy
    flaky.failAfter = Number.POSITIVE_INFINITY;
    const callsBefore = flaky.calls.rewrap;
    const second = await runAll();
    // Assess 2
    expect(second.error).toBeUndefined();
    expect(second.total).toMatchObject({
      rewrapped: versions - done,
      skipped: done,
      failed: 0,
      credentials: 14,
    });
    expect(flaky.calls.rewrap - callsBefore).toBe(versions - done);
    const end = await audit();
    expect(end.every((v) => v.decrypts && v.keyId === newKey)).toBe(true);
    // Each version's wrap under the new key happened once; the one lost to the crash happened twice.
    const counts = [...flaky.perVersion.values()];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(flaky.calls.rewrap);
    expect(counts.filter((c) => c > 1)).toEqual([2]);
    expect(flaky.perVersion.size).toBe(versions);
    // Act 3: a third run is a no-op without key-provider calls
    const third = await runAll();
    expect(third.total).toMatchObject({ rewrapped: 0, skipped: versions, failed: 0 });
    expect(flaky.calls.rewrap - callsBefore).toBe(versions - done);
  });

  it('an aborted run returns a cursor that resumes exactly after the last finished credential', async () => {
    const versions = await seed();
    const newKey = await local.addMasterKey();
    const controller = new AbortController();
    const watcher = new FlakyKeyProvider(local);
    h.deps.keyProvider = async () => watcher;
    const original = watcher.rewrapDataKey.bind(watcher);
    watcher.rewrapDataKey = async (...args) => {
      const out = await original(...args);
      if (watcher.calls.rewrap === 4) controller.abort();
      return out;
    };
    const page = await rewrapCredentials(h.deps, { limit: 100, signal: controller.signal });
    expect(page.has_more).toBe(true);
    expect(page.next_cursor).toEqual(expect.any(String));
    expect(page.rewrapped).toBe(4);
    const rest = await runAll({ cursor: page.next_cursor ?? undefined });
    expect(rest.total.rewrapped + page.rewrapped).toBe(versions);
    expect(rest.total.skipped).toBe(0);
    expect((await audit()).every((v) => v.decrypts && v.keyId === newKey)).toBe(true);
  });

  it('counts a record that does not authenticate as failed and re-wraps the others', async () => {
    const versions = await seed();
    await local.addMasterKey();
    const items = await h.deps.table.queryAll({ index: 'gsi2', partition: keys.credentialsPartition() });
    const victim = items.find(
      (i) => (i.versions as unknown[]).length === 1 && i.credential_type === 'api_key',
    )!;
    const tampered = structuredClone(victim.versions) as Array<{ secret: EncryptedSecret }>;
    const wrapped = Buffer.from(tampered[0]!.secret.wrapped_key, 'base64');
    wrapped[13] = (wrapped[13] ?? 0) ^ 0xff;
    tampered[0]!.secret.wrapped_key = wrapped.toString('base64');
    await h.deps.table.put({ ...victim, versions: tampered });
    const { total } = await runAll();
    expect(total).toMatchObject({ rewrapped: versions - 1, failed: 1 });
    expect(total.failures).toEqual([
      { credential_id: victim.id, version: 1, code: 'credential_decrypt_failed' },
    ]);
  });

  it('destroys retiring versions past their grace period, in rewrap and in sweep mode (no key calls)', async () => {
    const versions = await seed();
    h.clock.advance(25 * 3_600_000);
    const { total } = await runAll({ mode: 'sweep' });
    expect(total.destroyed).toBe(versions - 12);
    expect(total.destroyed).toBe(6);
    expect(flaky.calls.rewrap + flaky.calls.decrypt).toBe(0);
    const again = await runAll({ mode: 'sweep' });
    expect(again.total.destroyed).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../lib/errors.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import type { Item } from '../../lib/store/table.js';
import { secretFor } from '../support/credentials.js';
import { siblingOf } from '../support/instances.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import {
  encodings,
  fakeProviderKey,
  newProvider,
  rawCredential,
  rotateTo,
  storeApiKey,
} from './credentials-fixtures.js';

interface Envelope {
  alg: string;
  key_id: string;
  wrapped_key: string;
  iv: string;
  ciphertext: string;
  tag: string;
}
type Version = { key_version: number; secret: Envelope } & Record<string, unknown>;

let h: StoreHarness;
beforeAll(async () => {
  h = await startStoreHarness();
});
afterAll(async () => {
  await h.close();
});

/** Fresh caches over the same table and keys (a new container). */
const coldDeps = (): Gateway => siblingOf(h.deps);

async function stored(type = 'openai') {
  const providerId = await newProvider(h.deps, type);
  const value = fakeProviderKey('tamper');
  const { id } = await storeApiKey(h.deps, providerId, value);
  return { providerId, id, value, item: await rawCredential(h.deps, id) };
}

const versionsOf = (item: Item) => structuredClone(item.versions) as Version[];

/** Writes `item` with the active version's envelope changed by `edit`, resolves, restores. */
async function resolveTampered(target: { providerId: string; item: Item }, edit: (e: Envelope) => Envelope) {
  const versions = versionsOf(target.item);
  const last = versions.at(-1)!;
  last.secret = edit({ ...last.secret });
  await h.deps.table.put({ ...target.item, versions });
  try {
    return await secretFor(coldDeps(), target.providerId).then(
      (value) => ({ value, error: undefined }),
      (error: GatewayError) => ({ value: undefined, error }),
    );
  } finally {
    await h.deps.table.put(target.item);
  }
}

function expectDecryptFailure(
  outcome: { value: unknown; error: GatewayError | undefined },
  secrets: string[],
) {
  expect(outcome.value).toBeUndefined();
  expect(outcome.error?.code).toBe('credential_decrypt_failed');
  expect(outcome.error?.statusCode).toBe(500);
  const dump = `${String(outcome.error)} ${outcome.error?.stack} ${JSON.stringify(outcome.error)}`;
  for (const secret of secrets) for (const form of encodings(secret)) expect(dump).not.toContain(form);
}

const flip = (b64: string, index = 0) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[index % bytes.length] = (bytes[index % bytes.length] ?? 0) ^ 0x01;
  return bytes.toString('base64');
};
const truncate = (b64: string, drop = 1) => {
  const bytes = Buffer.from(b64, 'base64');
  return bytes.subarray(0, bytes.length - drop).toString('base64');
};

describe('credentials: an envelope moved onto another record does not decrypt', () => {
  it('fails for a ciphertext moved to a credential of another provider', async () => {
    // Prepare
    const a = await stored();
    const b = await stored();
    const moved = versionsOf(a.item).at(-1)!.secret;
    // Act
    const outcome = await resolveTampered(b, () => moved);
    // Assess
    expectDecryptFailure(outcome, [a.value, b.value]);
    expect((await secretFor(coldDeps(), b.providerId))?.value).toBe(b.value);
  });

  it('fails for a ciphertext moved to another credential of the same provider', async () => {
    const a = await stored();
    h.clock.advance(1); // the sibling is the newer one, so it is the one resolved
    const value = fakeProviderKey('sibling');
    const sibling = await storeApiKey(h.deps, a.providerId, value);
    const target = { providerId: a.providerId, item: await rawCredential(h.deps, sibling.id) };
    const moved = versionsOf(a.item).at(-1)!.secret;
    expectDecryptFailure(await resolveTampered(target, () => moved), [a.value, value]);
  });

  it('fails for a retired version moved into the active version slot of the same credential', async () => {
    const a = await stored();
    await rotateTo(h.deps, a.id, fakeProviderKey());
    const item = await rawCredential(h.deps, a.id);
    const old = versionsOf(item)[0]!.secret;
    expectDecryptFailure(await resolveTampered({ providerId: a.providerId, item }, () => old), [a.value]);
  });

  it('fails when the provider id of the whole item is changed (the record moved to another provider)', async () => {
    const a = await stored();
    const other = await newProvider(h.deps);
    await h.deps.table.put({ ...a.item, provider_id: other, gsi1pk: `PROVIDER_CREDENTIALS#${other}` });
    const outcome = await secretFor(coldDeps(), other).then(
      (value) => ({ value, error: undefined }),
      (error: GatewayError) => ({ value: undefined, error }),
    );
    expectDecryptFailure(outcome, [a.value]);
    await h.deps.table.put(a.item);
  });
});

describe('credentials: a tampered envelope does not decrypt, and yields no partial plaintext', () => {
  const cases: Array<[string, (e: Envelope) => Envelope]> = [
    ['a flipped ciphertext byte', (e) => ({ ...e, ciphertext: flip(e.ciphertext, 3) })],
    ['a flipped tag byte', (e) => ({ ...e, tag: flip(e.tag, 15) })],
    ['a flipped iv byte', (e) => ({ ...e, iv: flip(e.iv) })],
    ['a flipped wrapped-key byte', (e) => ({ ...e, wrapped_key: flip(e.wrapped_key, 20) })],
    ['a truncated ciphertext', (e) => ({ ...e, ciphertext: truncate(e.ciphertext) })],
    ['a truncated tag', (e) => ({ ...e, tag: truncate(e.tag, 4) })],
    ['a truncated wrapped key', (e) => ({ ...e, wrapped_key: truncate(e.wrapped_key) })],
    [
      'an extended ciphertext',
      (e) => ({
        ...e,
        ciphertext: Buffer.concat([Buffer.from(e.ciphertext, 'base64'), Buffer.from([0])]).toString('base64'),
      }),
    ],
    ['an unknown algorithm', (e) => ({ ...e, alg: 'AES-256-GCM/v0' })],
    ['an unknown key id', (e) => ({ ...e, key_id: 'local-0000000000000000' })],
    ['a non-base64 ciphertext', (e) => ({ ...e, ciphertext: `${e.ciphertext.slice(0, -2)}!!` })],
  ];
  it.each(cases)('fails for %s', async (_label, edit) => {
    const a = await stored();
    expectDecryptFailure(await resolveTampered(a, edit), [a.value]);
  });

  it('fails for spliced envelopes (parts of two credentials combined)', async () => {
    const a = await stored();
    const b = await stored();
    const other = versionsOf(b.item).at(-1)!.secret;
    const splices: Array<(e: Envelope) => Envelope> = [
      (e) => ({ ...e, ciphertext: other.ciphertext }),
      (e) => ({ ...e, tag: other.tag }),
      (e) => ({ ...e, iv: other.iv }),
      (e) => ({ ...e, wrapped_key: other.wrapped_key }),
      (e) => ({
        ...e,
        ciphertext: Buffer.concat([
          Buffer.from(e.ciphertext, 'base64'),
          Buffer.from(other.ciphertext, 'base64'),
        ]).toString('base64'),
      }),
    ];
    for (const splice of splices) expectDecryptFailure(await resolveTampered(a, splice), [a.value, b.value]);
    expect((await secretFor(coldDeps(), a.providerId))?.value).toBe(a.value);
  });
});

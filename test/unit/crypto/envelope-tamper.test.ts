import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, type EncryptedSecret, encryptSecret } from '../../../lib/crypto/envelope.js';
import type { DataKey, EncryptionContext, KeyProvider } from '../../../lib/crypto/key-provider.js';
import { LocalKeyProvider } from '../../../lib/crypto/local-key-provider.js';
import { CANARY, CONTEXT, expectDecryptFailure, tempDir } from './fixtures.js';

const BINARY_FIELDS = ['wrapped_key', 'iv', 'ciphertext', 'tag'] as const;
type BinaryField = (typeof BINARY_FIELDS)[number];

function withBytes(
  secret: EncryptedSecret,
  field: BinaryField,
  edit: (b: Buffer) => Buffer,
): EncryptedSecret {
  return { ...secret, [field]: edit(Buffer.from(secret[field], 'base64')).toString('base64') };
}

function flipped(bytes: Buffer, index: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ mask;
  return copy;
}

describe('envelope tamper matrix (local key provider)', () => {
  let provider: LocalKeyProvider;
  let secret: EncryptedSecret;
  /** Same context, separate encryption: a splice source that shares the AAD. */
  let sibling: EncryptedSecret;
  /** Another credential of another provider: the "ciphertext moved onto another record" source. */
  let foreign: EncryptedSecret;
  const foreignContext: EncryptionContext = {
    ...CONTEXT,
    provider_id: 'prov_other',
    credential_id: 'cred_99',
  };
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    provider = (await LocalKeyProvider.open(temp.dir)).provider;
    secret = await encryptSecret(CANARY, CONTEXT, provider);
    sibling = await encryptSecret(CANARY, CONTEXT, provider);
    foreign = await encryptSecret(CANARY, foreignContext, provider);
  });
  afterAll(async () => {
    await cleanup();
  });

  it('decrypts the untouched record (control)', async () => {
    expect(await decryptSecret(secret, CONTEXT, provider)).toBe(CANARY);
  });

  it.each(BINARY_FIELDS)(
    'rejects every single-bit flip (low and high bit) of every byte of %s',
    async (field) => {
      const length = Buffer.from(secret[field], 'base64').length;
      expect(length).toBeGreaterThan(0);
      let attempts = 0;
      for (let index = 0; index < length; index += 1) {
        for (const mask of [0x01, 0x80]) {
          await expectDecryptFailure(
            decryptSecret(
              withBytes(secret, field, (b) => flipped(b, index, mask)),
              CONTEXT,
              provider,
            ),
          );
          attempts += 1;
        }
      }
      expect(attempts).toBe(length * 2);
    },
  );

  it.each(BINARY_FIELDS)(
    'rejects %s truncated (last byte, first byte, half, empty) or extended',
    async (field) => {
      const edits: Array<(b: Buffer) => Buffer> = [
        (b) => b.subarray(0, b.length - 1),
        (b) => b.subarray(1),
        (b) => b.subarray(0, Math.floor(b.length / 2)),
        () => Buffer.alloc(0),
        (b) => Buffer.concat([b, Buffer.from([0])]),
      ];
      for (const edit of edits) {
        await expectDecryptFailure(decryptSecret(withBytes(secret, field, edit), CONTEXT, provider));
      }
    },
  );

  it.each(BINARY_FIELDS)('rejects %s spliced from another record of the same context', async (field) => {
    await expectDecryptFailure(decryptSecret({ ...secret, [field]: sibling[field] }, CONTEXT, provider));
  });

  it.each(BINARY_FIELDS)('rejects %s spliced from a record of another credential', async (field) => {
    await expectDecryptFailure(decryptSecret({ ...secret, [field]: foreign[field] }, CONTEXT, provider));
  });

  it.each(BINARY_FIELDS)(
    'rejects %s with non-canonical base64 (stray character, whitespace, extra padding)',
    async (field) => {
      const text = secret[field];
      for (const bad of [`${text}!`, ` ${text}`, `${text.slice(0, 2)}\n${text.slice(2)}`, `${text}=`]) {
        await expectDecryptFailure(decryptSecret({ ...secret, [field]: bad }, CONTEXT, provider));
      }
    },
  );

  it.each<[string, Partial<EncryptionContext>]>([
    ['provider_id', { provider_id: 'prov_anthropic' }],
    ['credential_id', { credential_id: 'cred_02' }],
    ['version', { version: '2' }],
    ['purpose', { purpose: 'other-purpose' }],
  ])('rejects the record moved to another %s', async (_field, change) => {
    await expectDecryptFailure(decryptSecret(secret, { ...CONTEXT, ...change }, provider));
  });

  it('rejects a whole record of another credential presented under this one', async () => {
    await expectDecryptFailure(decryptSecret(foreign, CONTEXT, provider));
    expect(await decryptSecret(foreign, foreignContext, provider)).toBe(CANARY);
  });

  it.each([
    ['a newer version', 'AES-256-GCM/v2'],
    ['other case', 'aes-256-gcm/v1'],
    ['empty', ''],
    ['missing', undefined],
  ])('rejects a wrong alg (%s)', async (_label, alg) => {
    const record = { ...secret, alg } as unknown as EncryptedSecret;
    await expectDecryptFailure(decryptSecret(record, CONTEXT, provider));
  });

  it('rejects a key_id that is altered, empty or another real master key', async () => {
    const otherKey = await provider.addMasterKey();
    const lastChar = secret.key_id.endsWith('0') ? '1' : '0';
    for (const keyId of [`${secret.key_id.slice(0, -1)}${lastChar}`, '', otherKey]) {
      await expectDecryptFailure(decryptSecret({ ...secret, key_id: keyId }, CONTEXT, provider));
    }
    expect(await decryptSecret(secret, CONTEXT, provider)).toBe(CANARY);
  });

  it.each([
    ['null', null],
    ['a string', 'AES-256-GCM/v1'],
    ['fields of the wrong type', { alg: 'AES-256-GCM/v1', key_id: 1, iv: 2 }],
  ])('rejects a malformed record (%s)', async (_label, record) => {
    await expectDecryptFailure(decryptSecret(record as unknown as EncryptedSecret, CONTEXT, provider));
  });
});

/** A key provider that ignores the context entirely: only the payload AAD can catch a move. */
class ContextBlindProvider implements KeyProvider {
  readonly #key = Buffer.alloc(32, 7);
  currentKeyId(): string {
    return 'blind';
  }
  async generateDataKey(): Promise<DataKey> {
    return { plaintext: Buffer.from(this.#key), wrapped: Buffer.from('wrapped'), keyId: 'blind' };
  }
  async decryptDataKey(): Promise<Buffer> {
    return Buffer.from(this.#key);
  }
  async rewrapDataKey(wrapped: Buffer): Promise<Buffer> {
    return wrapped;
  }
}

describe('envelope: the payload AAD binds the context on its own', () => {
  it.each<[string, Partial<EncryptionContext>]>([
    ['provider_id', { provider_id: 'prov_anthropic' }],
    ['credential_id', { credential_id: 'cred_02' }],
    ['version', { version: '2' }],
    ['purpose', { purpose: 'other-purpose' }],
  ])('rejects a move to another %s even when the key provider ignores context', async (_field, change) => {
    const blind = new ContextBlindProvider();
    const secret = await encryptSecret(CANARY, CONTEXT, blind);
    expect(await decryptSecret(secret, CONTEXT, blind)).toBe(CANARY);
    await expectDecryptFailure(decryptSecret(secret, { ...CONTEXT, ...change }, blind));
  });
});

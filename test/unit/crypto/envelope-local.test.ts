import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptSecret, ENVELOPE_ALG, encryptSecret } from '../../../lib/crypto/envelope.js';
import type { DataKey, EncryptionContext, KeyProvider } from '../../../lib/crypto/key-provider.js';
import { LocalKeyProvider, MASTER_KEY_FILE } from '../../../lib/crypto/local-key-provider.js';
import { ConfigError } from '../../../lib/errors.js';
import { CANARY, CONTEXT, useTempDir } from './fixtures.js';

/** Wraps a provider and keeps every plaintext data key it hands out, to check they get zeroed. */
class RecordingProvider implements KeyProvider {
  readonly handedOut: Buffer[] = [];
  constructor(private readonly inner: KeyProvider) {}
  currentKeyId(): string {
    return this.inner.currentKeyId();
  }
  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const key = await this.inner.generateDataKey(context);
    this.handedOut.push(key.plaintext);
    return key;
  }
  async decryptDataKey(wrapped: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer> {
    const key = await this.inner.decryptDataKey(wrapped, keyId, context);
    this.handedOut.push(key);
    return key;
  }
  rewrapDataKey(wrapped: Buffer, from: string, to: string, context: EncryptionContext): Promise<Buffer> {
    return this.inner.rewrapDataKey(wrapped, from, to, context);
  }
}

describe('envelope with the local key provider', () => {
  const temp = useTempDir();

  it('round-trips a secret and stores no plaintext', async () => {
    // Prepare
    const { provider, created } = await LocalKeyProvider.open(temp.dir);
    // Act
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    const plaintext = await decryptSecret(secret, CONTEXT, provider);
    // Assess
    expect(created).toBe(true);
    expect(plaintext).toBe(CANARY);
    expect(secret.alg).toBe(ENVELOPE_ALG);
    expect(secret.key_id).toBe(provider.currentKeyId());
    expect(Buffer.from(secret.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(secret.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(secret)).not.toContain(CANARY);
    expect(JSON.stringify(secret)).not.toContain(Buffer.from(CANARY).toString('base64'));
  });

  it('round-trips empty, multi-byte and long secrets', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    for (const value of ['', 'ключ-🔑-密钥', 'x'.repeat(64 * 1024)]) {
      expect(await decryptSecret(await encryptSecret(value, CONTEXT, provider), CONTEXT, provider)).toBe(
        value,
      );
    }
  });

  it('accepts the context fields in any order (canonical AAD)', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const reordered: EncryptionContext = {
      version: CONTEXT.version,
      purpose: CONTEXT.purpose,
      credential_id: CONTEXT.credential_id,
      provider_id: CONTEXT.provider_id,
    };
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    expect(await decryptSecret(secret, reordered, provider)).toBe(CANARY);
  });

  it('uses a fresh data key and IV per call', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const a = await encryptSecret(CANARY, CONTEXT, provider);
    const b = await encryptSecret(CANARY, CONTEXT, provider);
    expect(a.wrapped_key).not.toBe(b.wrapped_key);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('zeroes every plaintext data key after encrypt and decrypt', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const recording = new RecordingProvider(provider);
    const secret = await encryptSecret(CANARY, CONTEXT, recording);
    await decryptSecret(secret, CONTEXT, recording);
    expect(recording.handedOut).toHaveLength(2);
    for (const key of recording.handedOut) {
      expect(key).toHaveLength(32);
      expect(key.every((byte) => byte === 0)).toBe(true);
    }
  });

  it('refuses an incomplete encryption context', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const bad = { ...CONTEXT, version: '' };
    await expect(encryptSecret(CANARY, bad, provider)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('local key provider: master key file', () => {
  const temp = useTempDir();

  it('creates master-keys.json with mode 0600 holding one 32-byte current key', async () => {
    const { provider } = await LocalKeyProvider.open(join(temp.dir, 'nested', 'data'));
    const path = join(temp.dir, 'nested', 'data', MASTER_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(path, 'utf8')) as {
      current: string;
      keys: Record<string, string>;
    };
    expect(file.current).toBe(provider.currentKeyId());
    expect(Object.keys(file.keys)).toEqual([file.current]);
    expect(Buffer.from(file.keys[file.current] ?? '', 'base64')).toHaveLength(32);
  });

  it('reuses the existing file: a second process decrypts what the first wrote', async () => {
    const first = await LocalKeyProvider.open(temp.dir);
    const secret = await encryptSecret(CANARY, CONTEXT, first.provider);
    const second = await LocalKeyProvider.open(temp.dir);
    expect(second.created).toBe(false);
    expect(second.provider.currentKeyId()).toBe(first.provider.currentKeyId());
    expect(await decryptSecret(secret, CONTEXT, second.provider)).toBe(CANARY);
  });

  it('agrees on one key when opened concurrently', async () => {
    const opened = await Promise.all(Array.from({ length: 10 }, () => LocalKeyProvider.open(temp.dir)));
    expect(new Set(opened.map((o) => o.provider.currentKeyId())).size).toBe(1);
    expect(opened.filter((o) => o.created)).toHaveLength(1);
  });

  it('tightens a group/world-readable file to 0600 and reports it', async () => {
    await LocalKeyProvider.open(temp.dir);
    const path = join(temp.dir, MASTER_KEY_FILE);
    await chmod(path, 0o644);
    const reopened = await LocalKeyProvider.open(temp.dir);
    expect(reopened.permissionsTightened).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await LocalKeyProvider.open(temp.dir)).permissionsTightened).toBe(false);
  });

  it.each([
    ['not JSON', '{'],
    [
      'current key missing',
      JSON.stringify({ current: 'k2', keys: { k1: Buffer.alloc(32).toString('base64') } }),
    ],
    ['key of 16 bytes', JSON.stringify({ current: 'k1', keys: { k1: Buffer.alloc(16).toString('base64') } })],
    ['keys not an object', JSON.stringify({ current: 'k1', keys: null })],
  ])('refuses a corrupt file (%s) with a ConfigError that shows no key', async (_label, body) => {
    await writeFile(join(temp.dir, MASTER_KEY_FILE), body, { mode: 0o600 });
    const error = await LocalKeyProvider.open(temp.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).not.toContain(Buffer.alloc(16).toString('base64'));
  });
});

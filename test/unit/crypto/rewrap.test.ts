import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, rewrapSecret } from '../../../lib/crypto/envelope.js';
import type { EncryptionContext } from '../../../lib/crypto/key-provider.js';
import { LocalKeyProvider, MASTER_KEY_FILE } from '../../../lib/crypto/local-key-provider.js';
import { CANARY, CONTEXT, expectDecryptFailure, useTempDir } from './fixtures.js';

describe('master-key rotation: rewrapSecret with the local key provider', () => {
  const temp = useTempDir();

  it('re-wraps under a new master key, changing only key_id and wrapped_key', async () => {
    // Prepare
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const oldKey = provider.currentKeyId();
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    // Act
    const newKey = await provider.addMasterKey();
    const rewrapped = await rewrapSecret(secret, CONTEXT, provider, newKey);
    // Assess
    expect(newKey).not.toBe(oldKey);
    expect(provider.currentKeyId()).toBe(newKey);
    expect(rewrapped.key_id).toBe(newKey);
    expect(rewrapped.wrapped_key).not.toBe(secret.wrapped_key);
    expect({ ...rewrapped, key_id: '', wrapped_key: '' }).toEqual({ ...secret, key_id: '', wrapped_key: '' });
    expect(await decryptSecret(rewrapped, CONTEXT, provider)).toBe(CANARY);
    expect(await decryptSecret(secret, CONTEXT, provider)).toBe(CANARY);
  });

  it('keeps every old master key in the file and uses the new one for new secrets', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const first = provider.currentKeyId();
    const second = await provider.addMasterKey();
    const third = await provider.addMasterKey();
    const file = JSON.parse(await readFile(join(temp.dir, MASTER_KEY_FILE), 'utf8')) as {
      current: string;
      keys: Record<string, string>;
    };
    expect(file.current).toBe(third);
    expect(Object.keys(file.keys).sort()).toEqual([first, second, third].sort());
    expect((await encryptSecret(CANARY, CONTEXT, provider)).key_id).toBe(third);
  });

  it('does not lose a key when two rotations run at once', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const [a, b] = await Promise.all([provider.addMasterKey(), provider.addMasterKey()]);
    const reopened = (await LocalKeyProvider.open(temp.dir)).provider;
    for (const keyId of [a, b]) {
      const secret = await encryptSecret(CANARY, CONTEXT, provider);
      const moved = await rewrapSecret(secret, CONTEXT, provider, keyId);
      expect(await decryptSecret(moved, CONTEXT, reopened)).toBe(CANARY);
    }
  });

  it('lets another process decrypt under a key added after it opened the file', async () => {
    const server = (await LocalKeyProvider.open(temp.dir)).provider;
    const tool = (await LocalKeyProvider.open(temp.dir)).provider;
    const secret = await encryptSecret(CANARY, CONTEXT, server);
    const newKey = await tool.addMasterKey();
    const rewrapped = await rewrapSecret(secret, CONTEXT, tool, newKey);
    expect(await decryptSecret(rewrapped, CONTEXT, server)).toBe(CANARY);
  });

  it('is idempotent: a record already under the target key is returned unchanged', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const newKey = await provider.addMasterKey();
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    expect(secret.key_id).toBe(newKey);
    expect(await rewrapSecret(secret, CONTEXT, provider, newKey)).toEqual(secret);
  });

  it('refuses to re-wrap under another context, and the result still fails there', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    const newKey = await provider.addMasterKey();
    const other: EncryptionContext = { ...CONTEXT, credential_id: 'cred_02' };
    await expectDecryptFailure(rewrapSecret(secret, other, provider, newKey));
    const rewrapped = await rewrapSecret(secret, CONTEXT, provider, newKey);
    await expectDecryptFailure(decryptSecret(rewrapped, other, provider));
  });

  it('refuses a tampered wrapped key and an unknown target key', async () => {
    const { provider } = await LocalKeyProvider.open(temp.dir);
    const secret = await encryptSecret(CANARY, CONTEXT, provider);
    const newKey = await provider.addMasterKey();
    const wrapped = Buffer.from(secret.wrapped_key, 'base64');
    wrapped[20] = (wrapped[20] ?? 0) ^ 0x01;
    const tampered = { ...secret, wrapped_key: wrapped.toString('base64') };
    await expectDecryptFailure(rewrapSecret(tampered, CONTEXT, provider, newKey));
    const unknownTarget = await rewrapSecret(secret, CONTEXT, provider, 'local-does-not-exist').catch(
      (e: unknown) => e,
    );
    expect(unknownTarget).toMatchObject({ code: 'kms_key_unavailable' });
  });
});

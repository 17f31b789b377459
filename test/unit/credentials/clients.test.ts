import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { KmsKeyProvider } from '../../../lib/crypto/kms-key-provider.js';
import { LocalKeyProvider } from '../../../lib/crypto/local-key-provider.js';
import { ConfigError } from '../../../lib/errors.js';
import { lazyKeyProvider, lazySecretsManager } from '../../../lib/services/credentials/clients.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777';

describe('Gateway.keyProvider: chosen by runtime, created once', () => {
  it('is KMS on CREDENTIAL_KEY_ID in AWS, one instance (one client) per container', async () => {
    const get = lazyKeyProvider(loadConfig({ GATEWAY_RUNTIME: 'aws', CREDENTIAL_KEY_ID: KEY_ARN }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBeInstanceOf(KmsKeyProvider);
    expect(a).toBe(b);
    expect(a).toBe(await get());
    expect(a.currentKeyId()).toBe(KEY_ARN);
  });

  it('fails with a ConfigError naming CREDENTIAL_KEY_ID when AWS has none, on use only', async () => {
    const get = lazyKeyProvider(loadConfig({ GATEWAY_RUNTIME: 'aws' }));
    await expect(get()).rejects.toThrow(ConfigError);
    await expect(get()).rejects.toThrow(/CREDENTIAL_KEY_ID/);
  });

  it('is the master key file under DATA_DIR in the local runtime', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-clients-'));
    try {
      const get = lazyKeyProvider(loadConfig({ GATEWAY_RUNTIME: 'local', DATA_DIR: dir }));
      const provider = await get();
      expect(provider).toBeInstanceOf(LocalKeyProvider);
      expect((provider as LocalKeyProvider).path).toBe(join(dir, 'master-keys.json'));
      expect(await get()).toBe(provider);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates one Secrets Manager client with bounded retries', async () => {
    const get = lazySecretsManager(loadConfig({ AWS_REGION: 'eu-west-1' }));
    const client = await get();
    expect(await get()).toBe(client);
    expect(await client.config.maxAttempts()).toBe(3);
  });
});

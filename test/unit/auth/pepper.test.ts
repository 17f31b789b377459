import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../lib/auth/api-key.js';
import { PEPPER_FILE, pepperSourceFor, readOrCreateLocalPepper } from '../../../lib/auth/pepper.js';
import { loadConfig } from '../../../lib/config.js';
import { ConfigError, ServiceUnavailableError } from '../../../lib/errors.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-pepper-AbCdEf';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pepper-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pepper: local file under DATA_DIR', () => {
  it('is created on first use with mode 0600 and 256 random bits, then reused unchanged', () => {
    const first = readOrCreateLocalPepper(dir);
    const file = join(dir, PEPPER_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.length).toBe(43);
    expect(readOrCreateLocalPepper(dir).equals(first)).toBe(true);
  });

  it('re-modes an existing file that others could read, and never regenerates it', () => {
    const file = join(dir, PEPPER_FILE);
    writeFileSync(file, `${'p'.repeat(40)}\n`, { mode: 0o644 });
    const pepper = readOrCreateLocalPepper(dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(pepper.toString()).toBe('p'.repeat(40));
  });

  it('refuses a truncated file rather than silently invalidating every key', () => {
    writeFileSync(join(dir, PEPPER_FILE), 'short\n', { mode: 0o600 });
    expect(() => readOrCreateLocalPepper(dir)).toThrow(ConfigError);
    expect(readFileSync(join(dir, PEPPER_FILE), 'utf8')).toBe('short\n');
  });

  it('is what the local runtime configuration selects', async () => {
    const source = pepperSourceFor(loadConfig({ GATEWAY_RUNTIME: 'local', DATA_DIR: dir }));
    const pepper = await source();
    expect(pepper.equals(readOrCreateLocalPepper(dir))).toBe(true);
  });
});

describe('pepper: Secrets Manager in AWS', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());

  it('is read once per container, through an injected client', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 's'.repeat(64) });
    const config = loadConfig({ GATEWAY_RUNTIME: 'aws', API_KEY_PEPPER_SECRET_ARN: ARN });
    const source = pepperSourceFor(config, new SecretsManagerClient({}));
    const results = await Promise.all([source(), source(), source()]);
    await source();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
    expect(results.every((p) => p.equals(Buffer.from('s'.repeat(64))))).toBe(true);
    // The same key hashes the same way in every container that reads this pepper.
    expect(hashApiKey(results[0]!, 'gk_example')).toBe(hashApiKey(Buffer.from('s'.repeat(64)), 'gk_example'));
  });

  it('fails closed with a 503 when throttled or denied, and tries again on the next call', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }))
      .resolves({ SecretString: 'q'.repeat(64) });
    const source = pepperSourceFor(
      loadConfig({ GATEWAY_RUNTIME: 'aws', API_KEY_PEPPER_SECRET_ARN: ARN }),
      new SecretsManagerClient({}),
    );
    for (let i = 0; i < 2; i++) {
      const error = await source().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).code).toBe('secret_store_unavailable');
      expect((error as Error).message).not.toContain(ARN);
    }
    expect((await source()).toString()).toBe('q'.repeat(64));
  });

  it('refuses a pepper shorter than 32 characters', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'too-short' });
    const source = pepperSourceFor(
      loadConfig({ GATEWAY_RUNTIME: 'aws', API_KEY_PEPPER_SECRET_ARN: ARN }),
      new SecretsManagerClient({}),
    );
    await expect(source()).rejects.toBeInstanceOf(ConfigError);
  });

  it('names the missing variable in AWS, only when a key is handled', async () => {
    const config = loadConfig({ GATEWAY_RUNTIME: 'aws' });
    await expect(pepperSourceFor(config)()).rejects.toThrow(/API_KEY_PEPPER_SECRET_ARN is required/);
    expect(() => loadConfig({ API_KEY_PEPPER_SECRET_ARN: 'not-an-arn' })).toThrow(
      /API_KEY_PEPPER_SECRET_ARN/,
    );
  });
});

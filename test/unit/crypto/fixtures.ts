/** Shared fixtures of the crypto tests: temp dirs, contexts, a canary secret, failure assertions. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { CredentialDecryptError } from '../../../lib/crypto/errors.js';
import type { EncryptionContext } from '../../../lib/crypto/key-provider.js';
import type { GatewayError } from '../../../lib/errors.js';

/** A value that must never appear anywhere but in a successful decrypt. */
export const CANARY = 'sk-canary-7f3e9a1c4b2d8e6f0a5c3b1d9e7f2a4c';

export const CONTEXT: EncryptionContext = {
  provider_id: 'prov_openai',
  credential_id: 'cred_01',
  version: '1',
  purpose: 'provider-credential',
};

/** Creates a fresh temp dir; returns it and a cleanup function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-crypto-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temp dir for each test of the calling `describe` (created before, removed after); read
 * `dir` inside a test.
 */
export function useTempDir(): { readonly dir: string } {
  let current: { dir: string; cleanup: () => Promise<void> } | undefined;
  beforeEach(async () => {
    current = await tempDir();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    get dir() {
      if (!current) throw new Error('useTempDir: read dir inside a test');
      return current.dir;
    },
  };
}

/** Everything an error could reveal when logged or serialised. */
export function errorDump(error: unknown): string {
  const e = error as Error;
  const cause = e.cause instanceof Error ? `${e.cause.message} ${JSON.stringify(e.cause)}` : String(e.cause);
  return [String(e), e.message, e.stack, JSON.stringify(e), cause].join('\n');
}

/**
 * Awaits `attempt` and asserts it failed with `credential_decrypt_failed`, produced no value and
 * leaked none of `secrets` (default: the canary). Returns the error for further checks.
 */
export async function expectDecryptFailure(
  attempt: Promise<unknown>,
  secrets: string[] = [CANARY],
): Promise<GatewayError> {
  let value: unknown;
  let error: unknown;
  try {
    value = await attempt;
  } catch (e) {
    error = e;
  }
  expect(value).toBeUndefined();
  expect(error).toBeInstanceOf(CredentialDecryptError);
  const gatewayError = error as GatewayError;
  expect(gatewayError.code).toBe('credential_decrypt_failed');
  const dump = errorDump(error);
  for (const secret of secrets) expect(dump).not.toContain(secret);
  return gatewayError;
}

import type { Config } from '../config.js';
import { describeError, logger } from '../observability.js';
import { sameKey } from './api-key.js';
import { type SecretsClient, secretStringReader } from './secret-string.js';

/** Key id of the bootstrap admin key (the first key, from configuration or Secrets Manager). */
export const BOOTSTRAP_KEY_ID = 'key_bootstrap_admin';

/** How long a bootstrap key read from Secrets Manager is reused: a rotated secret applies within it. */
export const BOOTSTRAP_REFRESH_MS = 300_000;

let reader: { secretId: string; read: () => Promise<string> } | undefined;
let injected: { client: SecretsClient; now: (() => number) | undefined } | undefined;

/** Replaces the Secrets Manager client used for the bootstrap key (tests); resets the cache. */
export function setBootstrapSecretsClient(client: SecretsClient | undefined, now?: () => number): void {
  reader = undefined;
  injected = client === undefined ? undefined : { client, now };
}

function readerFor(config: Config): () => Promise<string> {
  const secretId = config.ADMIN_KEY_SECRET_ARN ?? '';
  if (reader?.secretId !== secretId) {
    const read = secretStringReader({
      secretId,
      region: config.AWS_REGION,
      maxAgeMs: BOOTSTRAP_REFRESH_MS,
      ...(injected ? { client: injected.client, ...(injected.now ? { now: injected.now } : {}) } : {}),
    });
    reader = { secretId, read };
  }
  return reader.read;
}

/**
 * Whether `key` is the bootstrap admin key: `ADMIN_API_KEY` if set, else the Secrets Manager secret
 * `ADMIN_KEY_SECRET_ARN` (the stack creates it), re-read every {@link BOOTSTRAP_REFRESH_MS}. When
 * the secret cannot be read the answer is `false` (fail closed for this key only), so table-backed
 * keys keep working while Secrets Manager is unavailable. Comparison is constant-time.
 */
export async function isBootstrapKey(config: Config, key: string): Promise<boolean> {
  if (config.ADMIN_API_KEY) return sameKey(key, config.ADMIN_API_KEY);
  if (!config.ADMIN_KEY_SECRET_ARN) return false;
  try {
    return sameKey(key, await readerFor(config)());
  } catch (error) {
    logger.warn('bootstrap admin key unavailable', { error: describeError(error) });
    return false;
  }
}

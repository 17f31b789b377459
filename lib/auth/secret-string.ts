import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceUnavailableError } from '../errors.js';

/** The part of a Secrets Manager client this module uses (tests inject a mock). */
export type SecretsClient = Pick<SecretsManagerClient, 'send'>;

export interface SecretStringOptions {
  secretId: string;
  region: string;
  /** Milliseconds a read value is reused; `Infinity` reads once per container. */
  maxAgeMs: number;
  /**
   * The client, or the container's lazy factory of it (shared with other users of Secrets Manager);
   * by default one is created on first use (the SDK is imported lazily).
   */
  client?: SecretsClient | (() => Promise<SecretsClient>) | undefined;
  now?: () => number;
}

/**
 * A reader of one Secrets Manager string, cached in memory for `maxAgeMs`. Concurrent cold callers
 * share one read; a failed read is not cached (the next call tries again) and surfaces as a 503
 * `secret_store_unavailable` whose message names no secret, so callers fail closed.
 */
export function secretStringReader(options: SecretStringOptions): () => Promise<string> {
  const now = options.now ?? Date.now;
  let client: SecretsClient | undefined;
  let cached: { value: Promise<string>; readAt: number } | undefined;
  const read = async (): Promise<string> => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    const given = options.client;
    client ??= typeof given === 'function' ? await given() : given;
    client ??= new sdk.SecretsManagerClient({ region: options.region, maxAttempts: 3 });
    const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: options.secretId }));
    const value = out.SecretString?.trim();
    if (!value) throw new Error('The secret has no string value.');
    return value;
  };
  return () => {
    if (cached && now() - cached.readAt < options.maxAgeMs) return cached.value;
    const entry = {
      readAt: now(),
      value: read().catch((error: unknown) => {
        if (cached === entry) cached = undefined;
        throw new ServiceUnavailableError('The secret store is unavailable; retry shortly.', {
          code: 'secret_store_unavailable',
          retryAfterSeconds: 1,
          cause: error,
        });
      }),
    };
    cached = entry;
    return entry.value;
  };
}

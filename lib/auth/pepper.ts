import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { type SecretsClient, secretStringReader } from './secret-string.js';

/** The pepper file of the local runtime, under `DATA_DIR` (mode 0600, created on first start). */
export const PEPPER_FILE = 'api-key-pepper';

/** Shortest pepper accepted, in characters (a generated one has 43: 256 random bits). */
export const MIN_PEPPER_LENGTH = 32;

/**
 * Yields the secret that API-key HMACs are keyed with. Read once per container. Changing the pepper
 * invalidates every table-backed key at once (the bootstrap admin key is unaffected).
 */
export type PepperSource = () => Promise<Buffer>;

function toPepper(text: string, where: string): Buffer {
  if (text.length < MIN_PEPPER_LENGTH) {
    throw new ConfigError(`The API-key pepper in ${where} is shorter than ${MIN_PEPPER_LENGTH} characters.`);
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Reads the local pepper file, creating it (256 random bits, mode 0600, exclusive create so two
 * processes cannot both write one) when absent. An existing file is re-moded to 0600 and never
 * regenerated: a new pepper would silently invalidate every key.
 *
 * @throws ConfigError when the file is empty or too short (fix or delete it by hand).
 */
export function readOrCreateLocalPepper(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, PEPPER_FILE);
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(file, 0o600);
  return toPepper(readFileSync(file, 'utf8').trim(), file);
}

/** A pepper source over the local file (read once, then from memory). */
export function localFilePepper(dataDir: string): PepperSource {
  let pepper: Buffer | undefined;
  return async () => {
    pepper ??= readOrCreateLocalPepper(dataDir);
    return pepper;
  };
}

/**
 * A pepper source over a Secrets Manager secret string, read once per container. A failed read
 * (throttled, denied, missing) is a 503 and is retried on the next call: authentication fails
 * closed meanwhile.
 */
export function secretsManagerPepper(options: {
  secretId: string;
  region: string;
  client?: SecretsClient | (() => Promise<SecretsClient>) | undefined;
}): PepperSource {
  const read = secretStringReader({ ...options, maxAgeMs: Number.POSITIVE_INFINITY });
  let pepper: Buffer | undefined;
  return async () => {
    pepper ??= toPepper(await read(), 'API_KEY_PEPPER_SECRET_ARN');
    return pepper;
  };
}

/**
 * The pepper source the configuration names: the secret of `API_KEY_PEPPER_SECRET_ARN` when set,
 * else the local file in the local runtime. In AWS without the variable, every use throws a
 * ConfigError naming it (only the functions that handle keys need it, so others still start).
 */
export function pepperSourceFor(
  config: Pick<Config, 'API_KEY_PEPPER_SECRET_ARN' | 'GATEWAY_RUNTIME' | 'DATA_DIR' | 'AWS_REGION'>,
  client?: SecretsClient | (() => Promise<SecretsClient>),
): PepperSource {
  if (config.API_KEY_PEPPER_SECRET_ARN) {
    return secretsManagerPepper({
      secretId: config.API_KEY_PEPPER_SECRET_ARN,
      region: config.AWS_REGION,
      client,
    });
  }
  if (config.GATEWAY_RUNTIME === 'local') return localFilePepper(config.DATA_DIR);
  return () =>
    Promise.reject(new ConfigError('API_KEY_PEPPER_SECRET_ARN is required when GATEWAY_RUNTIME is aws.'));
}

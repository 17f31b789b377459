import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the local runtime keeps the generated bootstrap admin key (mode 0600). */
export const ADMIN_KEY_FILE = 'admin-api-key';

/** A new gateway API key: `gk_` and 43 URL-safe characters (256 random bits). */
export function generateApiKey(): string {
  return `gk_${randomBytes(32).toString('base64url')}`;
}

/**
 * The local bootstrap admin key: `ADMIN_API_KEY` if set, else the one stored under the data folder,
 * else a new one written there with mode 0600. `created` tells the caller to print it, once.
 */
export function resolveLocalAdminKey(
  dataDir: string,
  fromEnv: string | undefined,
): { key: string; created: boolean } {
  if (fromEnv) return { key: fromEnv, created: false };
  const file = join(dataDir, ADMIN_KEY_FILE);
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { key: readFileSync(file, 'utf8').trim(), created: false };
  }
  const key = generateApiKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}

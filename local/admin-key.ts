import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newApiKeySecret } from '../lib/auth/api-key.js';

/** Where the local runtime keeps the generated bootstrap admin key (mode 0600). */
export const ADMIN_KEY_FILE = 'admin-api-key';

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
  const key = newApiKeySecret();
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}

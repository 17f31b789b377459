import { describeError, logger } from '../observability.js';
import type { Gateway } from '../runtime/gateway.js';
import { stateSlot } from '../state-slots.js';
import { sameKey } from './api-key.js';
import { secretStringReader } from './secret-string.js';

/** Key id of the bootstrap admin key (the first key, from configuration or Secrets Manager). */
export const BOOTSTRAP_KEY_ID = 'key_bootstrap_admin';

/** How long a bootstrap key read from Secrets Manager is reused: a rotated secret applies within it. */
export const BOOTSTRAP_REFRESH_MS = 300_000;

/** What reading the bootstrap key needs of the gateway instance. */
export type BootstrapDeps = Pick<Gateway, 'config' | 'now' | 'secretsManager' | 'state'>;

/** The instance's reader of the bootstrap secret (cached for {@link BOOTSTRAP_REFRESH_MS}). */
const BOOTSTRAP_READER = stateSlot<Gateway, () => Promise<string>>('bootstrap key reader', (deps) =>
  secretStringReader({
    secretId: deps.config.ADMIN_KEY_SECRET_ARN ?? '',
    region: deps.config.AWS_REGION,
    maxAgeMs: BOOTSTRAP_REFRESH_MS,
    client: deps.secretsManager,
    now: deps.now,
  }),
);

/**
 * Whether `key` is the bootstrap admin key: `ADMIN_API_KEY` if set, else the Secrets Manager secret
 * `ADMIN_KEY_SECRET_ARN` (the stack creates it), re-read every {@link BOOTSTRAP_REFRESH_MS}. When
 * the secret cannot be read the answer is `false` (fail closed for this key only), so table-backed
 * keys keep working while Secrets Manager is unavailable. Comparison is constant-time.
 */
export async function isBootstrapKey(deps: BootstrapDeps, key: string): Promise<boolean> {
  const { config } = deps;
  if (config.ADMIN_API_KEY) return sameKey(key, config.ADMIN_API_KEY);
  if (!config.ADMIN_KEY_SECRET_ARN) return false;
  try {
    return sameKey(key, await deps.state(BOOTSTRAP_READER)());
  } catch (error) {
    logger.warn('bootstrap admin key unavailable', { error: describeError(error) });
    return false;
  }
}

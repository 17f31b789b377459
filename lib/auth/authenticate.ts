import type { Config } from '../config.js';
import { sameKey } from './api-key.js';
import type { Principal } from './roles.js';

/** Key id of the bootstrap admin key (the first key, from configuration or Secrets Manager). */
export const BOOTSTRAP_KEY_ID = 'key_bootstrap_admin';

let secretValue: Promise<string | undefined> | undefined;

/** Reads the bootstrap admin key once per container: from `ADMIN_API_KEY`, else from Secrets Manager. */
async function bootstrapKey(config: Config): Promise<string | undefined> {
  if (config.ADMIN_API_KEY) return config.ADMIN_API_KEY;
  if (!config.ADMIN_KEY_SECRET_ARN) return undefined;
  secretValue ??= (async () => {
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: config.AWS_REGION, maxAttempts: 3 });
    const out = await client.send(new GetSecretValueCommand({ SecretId: config.ADMIN_KEY_SECRET_ARN }));
    return out.SecretString?.trim() || undefined;
  })().catch((error: unknown) => {
    secretValue = undefined;
    throw error;
  });
  return secretValue;
}

/**
 * Resolves a presented key to a principal, or `null` for any key that is not valid. This is the
 * authorizer's seam: the API-key store (roles, scopes, revocation) plugs in here.
 */
export async function authenticate(config: Config, key: string): Promise<Principal | null> {
  const admin = await bootstrapKey(config);
  if (admin && sameKey(key, admin)) return { keyId: BOOTSTRAP_KEY_ID, role: 'admin' };
  return null;
}

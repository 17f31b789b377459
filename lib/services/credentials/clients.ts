/**
 * The outside-world pieces the credential service needs, built once per container from the
 * configuration and handed to `Gateway` (`lib/runtime/gateway.ts`): the master-key provider and the
 * Secrets Manager client. Both are created on first use, through a dynamic import, so a function
 * that never touches a credential neither loads the KMS/Secrets Manager SDKs nor needs
 * `CREDENTIAL_KEY_ID`.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../../config.js';
import type { KeyProvider } from '../../crypto/key-provider.js';
import { ConfigError } from '../../errors.js';
import { logger } from '../../observability.js';

/** SDK attempts per KMS / Secrets Manager call (standard retry mode, jittered backoff). */
const MAX_ATTEMPTS = 3;

/** Memoises an async factory; a failed attempt is forgotten so the next call tries again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

async function openLocal(dataDir: string): Promise<KeyProvider> {
  const { LocalKeyProvider } = await import('../../crypto/local-key-provider.js');
  const opened = await LocalKeyProvider.open(dataDir);
  if (opened.permissionsTightened) {
    logger.warn('the local master key file was readable by others; its mode was set to 0600', {
      path: opened.provider.path,
    });
  }
  return opened.provider;
}

async function openKms(config: Pick<Config, 'AWS_REGION' | 'CREDENTIAL_KEY_ID'>): Promise<KeyProvider> {
  const keyId = config.CREDENTIAL_KEY_ID;
  if (!keyId) throw new ConfigError('CREDENTIAL_KEY_ID is required to encrypt or decrypt credentials');
  const [{ KMSClient }, { KmsKeyProvider }] = await Promise.all([
    import('@aws-sdk/client-kms'),
    import('../../crypto/kms-key-provider.js'),
  ]);
  const client = new KMSClient({ region: config.AWS_REGION, maxAttempts: MAX_ATTEMPTS });
  return new KmsKeyProvider({ client, keyId });
}

/**
 * The container's credential key provider, opened once on first call: `LocalKeyProvider` on
 * `DATA_DIR/master-keys.json` (mode 0600, created on first use) in the local runtime, and
 * `KmsKeyProvider` on `CREDENTIAL_KEY_ID` in AWS.
 *
 * @throws ConfigError (on call, not here) when AWS has no `CREDENTIAL_KEY_ID` or the local key file
 * is not valid; the call after a failure tries again.
 */
export function lazyKeyProvider(
  config: Pick<Config, 'GATEWAY_RUNTIME' | 'DATA_DIR' | 'AWS_REGION' | 'CREDENTIAL_KEY_ID'>,
): () => Promise<KeyProvider> {
  return once(() => (config.GATEWAY_RUNTIME === 'local' ? openLocal(config.DATA_DIR) : openKms(config)));
}

/** The container's Secrets Manager client (for `secret_ref` credentials), created on first call. */
export function lazySecretsManager(config: Pick<Config, 'AWS_REGION'>): () => Promise<SecretsManagerClient> {
  return once(async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient({ region: config.AWS_REGION, maxAttempts: MAX_ATTEMPTS });
  });
}

/**
 * Reads the value behind a `secret_ref` credential from AWS Secrets Manager. Callers cache the
 * result (`cache.ts`, same bounds as decrypted values), so a steady stream of requests makes no
 * Secrets Manager call; the client is the container's one (`Gateway.secretsManager`).
 */
import type { Gateway } from '../../runtime/gateway.js';
import { SecretRefError, translateSecretsError, unusableSecret } from './errors.js';
import { secretRefName } from './validate.js';

/**
 * The usable text of a secret: the whole `SecretString` trimmed, or, when it is a JSON object, its
 * string `api_key` field (the shape `{"api_key": "..."}` many teams store).
 */
function usableValue(secretString: string | undefined): string {
  const text = secretString?.trim();
  if (!text) throw unusableSecret();
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unusableSecret();
  }
  const field = (parsed as { api_key?: unknown } | null)?.api_key;
  if (typeof field !== 'string' || field.trim() === '') throw unusableSecret();
  return field.trim();
}

/**
 * Fetches the current value of the secret `arn` (`GetSecretValue`, AWSCURRENT stage). The prefix
 * rule is checked again here, so a tampered record cannot make the gateway read another secret.
 *
 * @throws SecretRefError `secret_ref_refused` (prefix), `secret_access_denied`, `secret_not_found`,
 * `secret_decrypt_failed`, `secret_unusable`, `secret_store_failed`; SecretStoreUnavailableError
 * (503) when Secrets Manager throttles or is unreachable. No error names the ARN.
 */
export async function readSecretRef(deps: Gateway, arn: string): Promise<string> {
  if (secretRefName(arn, deps.config.CREDENTIAL_SECRET_PREFIX) === undefined) {
    throw new SecretRefError(
      500,
      'secret_ref_refused',
      'The stored secret reference is outside the allowed prefix.',
    );
  }
  const [client, { GetSecretValueCommand }] = await Promise.all([
    deps.secretsManager(),
    import('@aws-sdk/client-secrets-manager'),
  ]);
  let secretString: string | undefined;
  try {
    secretString = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    throw translateSecretsError(error);
  }
  return usableValue(secretString);
}

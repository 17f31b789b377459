/**
 * Errors of `secret_ref` credentials (Secrets Manager). Like the crypto errors they fail closed, carry
 * constant messages that name the cause and nothing else (no ARN, account, principal or SDK message),
 * and keep only the SDK error's name and request id as `cause` for operators. Only a throttled or
 * unreachable Secrets Manager is retryable (503 with `Retry-After`).
 */

import { safeCause, sdkErrorFacts } from '../../aws/sdk-error.js';
import { GatewayError, ServiceUnavailableError } from '../../errors.js';

/** 500-class failure of a secret reference; the message is constant, so it is shown. */
export class SecretRefError extends GatewayError {
  override name = 'SecretRefError';
  override get expose(): boolean {
    return true;
  }
}

/** 503 `secret_store_unavailable`: Secrets Manager throttled, failed internally or was unreachable. */
export class SecretStoreUnavailableError extends ServiceUnavailableError {
  override name = 'SecretStoreUnavailableError';
  constructor(options: { cause?: Error } = {}) {
    super('The secret store is temporarily unavailable; retry later.', {
      cause: options.cause,
      code: 'secret_store_unavailable',
      retryAfterSeconds: 1,
    });
  }
}

const FAILURES: Record<string, [code: string, message: string]> = {
  AccessDeniedException: [
    'secret_access_denied',
    'The gateway is not permitted to read the referenced secret.',
  ],
  UnrecognizedClientException: [
    'secret_access_denied',
    'The gateway is not permitted to read the referenced secret.',
  ],
  ResourceNotFoundException: ['secret_not_found', 'The referenced secret does not exist.'],
  DecryptionFailure: [
    'secret_decrypt_failed',
    "The secret store could not decrypt the referenced secret's value.",
  ],
  InvalidRequestException: [
    'secret_unusable',
    'The referenced secret is disabled or scheduled for deletion.',
  ],
};
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'InternalServiceError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);

/** A referenced secret holds no usable text value (binary, empty, or a JSON object without a key). */
export function unusableSecret(): SecretRefError {
  return new SecretRefError(500, 'secret_unusable', 'The referenced secret holds no usable text value.');
}

/**
 * Maps any error of a Secrets Manager call to a caller-safe error; unknown ones are
 * `secret_store_failed`. The SDK message (which names the ARN) is never copied.
 */
export function translateSecretsError(err: unknown): GatewayError {
  const facts = sdkErrorFacts(err);
  const { name, status } = facts;
  const cause = safeCause('Secrets Manager GetSecretValue', facts);
  const known = FAILURES[name];
  if (known) return new SecretRefError(500, known[0], known[1], { cause });
  // Node socket errors (ECONNRESET, ETIMEDOUT, ...) carry no $metadata, only a code.
  const network = facts.code !== undefined && /^E[A-Z]+$/.test(facts.code);
  if (UNAVAILABLE.has(name) || network || facts.retryable || (status !== undefined && status >= 500)) {
    return new SecretStoreUnavailableError({ cause });
  }
  return new SecretRefError(500, 'secret_store_failed', 'The secret store could not complete the request.', {
    cause,
  });
}

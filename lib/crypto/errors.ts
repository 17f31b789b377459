/**
 * Errors raised by the credential crypto library. Every one is a {@link GatewayError} with a fixed,
 * caller-safe message: none ever carries key material, a wrapped key, ciphertext, a key ARN or the
 * message of the SDK error it replaces (KMS messages name ARNs and principals). The SDK error, if
 * any, is reduced to its name and request id and kept as `cause` for operators.
 *
 * Status choice: only `kms_unavailable` is retryable (503 with `Retry-After`). A denied call, a
 * disabled or missing key and an undecryptable record are faults an operator must fix, so they are
 * 500-class and fail closed; their messages are constant strings, so they are exposed as is.
 */
import { GatewayError, type GatewayErrorOptions, ServiceUnavailableError } from '../errors.js';

/** Options accepted by the crypto errors: only a `cause`, never caller-visible details. */
export type CryptoErrorOptions = Pick<GatewayErrorOptions, 'cause'>;

/**
 * 500 `credential_decrypt_failed`: a stored credential failed authentication. Raised for any tamper
 * (flipped, truncated or spliced byte), a record moved to another provider, credential, version or
 * purpose, an unknown algorithm, or a wrapped key the key service rejects. No plaintext is returned.
 */
export class CredentialDecryptError extends GatewayError {
  override name = 'CredentialDecryptError';
  constructor(options: CryptoErrorOptions = {}) {
    super(500, 'credential_decrypt_failed', 'The stored credential could not be decrypted.', options);
  }
  /** The message is a constant that names the cause and nothing else, so it is shown. */
  override get expose(): boolean {
    return true;
  }
}

/** 503 `kms_unavailable`: KMS throttled, hit a limit, failed internally or was unreachable. */
export class KmsUnavailableError extends ServiceUnavailableError {
  override name = 'KmsUnavailableError';
  /** @param retryAfterSeconds - sent as `Retry-After` (whole seconds, default 1). */
  constructor(options: CryptoErrorOptions & { retryAfterSeconds?: number } = {}) {
    super('The key service is temporarily unavailable; retry later.', {
      cause: options.cause,
      code: 'kms_unavailable',
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
    });
  }
}

/** 500 `kms_access_denied`: the function's role or the key policy does not allow the KMS call. */
export class KmsAccessDeniedError extends GatewayError {
  override name = 'KmsAccessDeniedError';
  constructor(options: CryptoErrorOptions = {}) {
    super(500, 'kms_access_denied', 'The gateway is not permitted to use its encryption key.', options);
  }
  override get expose(): boolean {
    return true;
  }
}

/** 500 `kms_key_unavailable`: the master key is disabled, pending deletion, missing or unusable. */
export class KmsKeyUnavailableError extends GatewayError {
  override name = 'KmsKeyUnavailableError';
  constructor(options: CryptoErrorOptions = {}) {
    super(
      500,
      'kms_key_unavailable',
      'The encryption key is disabled, pending deletion or missing.',
      options,
    );
  }
  override get expose(): boolean {
    return true;
  }
}

/** 500 `kms_failed`: any other KMS failure (bad request, malformed response). Fails closed. */
export class KmsRequestError extends GatewayError {
  override name = 'KmsRequestError';
  constructor(options: CryptoErrorOptions = {}) {
    super(500, 'kms_failed', 'The key service could not complete the request.', options);
  }
  override get expose(): boolean {
    return true;
  }
}

/**
 * {@link KeyProvider} backed by AWS KMS. Data keys come from `GenerateDataKey` (AES_256), are
 * unwrapped with `Decrypt` and moved between master keys with `ReEncrypt`, which never returns the
 * data key to this process. Every call carries the credential's encryption context, so KMS itself
 * refuses a wrapped key presented for another provider, credential, version or purpose.
 *
 * SDK errors are translated here, at the adapter, into the crypto errors of `./errors.ts`; their
 * messages (which name key ARNs and principals) never reach the caller.
 */
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { safeCause, sdkErrorFacts } from '../aws/sdk-error.js';
import { ConfigError, type GatewayError } from '../errors.js';
import {
  CredentialDecryptError,
  KmsAccessDeniedError,
  KmsKeyUnavailableError,
  KmsRequestError,
  KmsUnavailableError,
} from './errors.js';
import { contextRecord, type DataKey, type EncryptionContext, type KeyProvider } from './key-provider.js';

/** AES-256 data keys are 32 bytes. */
const DATA_KEY_BYTES = 32;

const UNAVAILABLE = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);
const KEY_UNAVAILABLE = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'NotFoundException',
  'InvalidKeyUsageException',
  'CustomKeyStoreInvalidStateException',
]);
const BAD_CIPHERTEXT = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** Options of {@link KmsKeyProvider}. */
export interface KmsKeyProviderOptions {
  /** A KMS client created once per container by the caller (so it can be mocked in tests). */
  client: KMSClient;
  /**
   * The master key for new data keys: a key ARN or key id. Aliases are refused, because `Decrypt`
   * with an alias that was later pointed at another key fails for every record wrapped before.
   */
  keyId: string;
  /** `Retry-After` (seconds) sent when KMS throttles or is unreachable. Default 1. */
  retryAfterSeconds?: number;
}

/**
 * Maps any error thrown by a KMS call to a crypto error. Never copies the SDK message; the cause
 * keeps only the operation, error name and request id. Unknown errors become `kms_failed`.
 */
export function translateKmsError(err: unknown, operation: string, retryAfterSeconds = 1): GatewayError {
  const facts = sdkErrorFacts(err);
  const { name, code, status } = facts;
  const cause = safeCause(`KMS ${operation}`, facts);
  if (BAD_CIPHERTEXT.has(name)) return new CredentialDecryptError({ cause });
  if (ACCESS_DENIED.has(name)) return new KmsAccessDeniedError({ cause });
  if (KEY_UNAVAILABLE.has(name)) return new KmsKeyUnavailableError({ cause });
  if (
    UNAVAILABLE.has(name) ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    facts.retryable ||
    (status !== undefined && status >= 500)
  ) {
    return new KmsUnavailableError({ cause, retryAfterSeconds });
  }
  return new KmsRequestError({ cause });
}

/** Wraps SDK bytes in a Buffer that shares their memory, so zeroing it zeroes the SDK's copy too. */
function shared(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** KMS implementation of {@link KeyProvider}. Stateless apart from the injected client. */
export class KmsKeyProvider implements KeyProvider {
  readonly #client: KMSClient;
  readonly #keyId: string;
  readonly #retryAfterSeconds: number;

  /** @throws ConfigError when `keyId` is empty or an alias. */
  constructor(options: KmsKeyProviderOptions) {
    if (!options.keyId || /(^|:)alias\//.test(options.keyId)) {
      throw new ConfigError('KMS key id must be a key ARN or key id, not empty and not an alias');
    }
    this.#client = options.client;
    this.#keyId = options.keyId;
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  currentKeyId(): string {
    return this.#keyId;
  }

  /**
   * `GenerateDataKey` (AES_256) under the current key with `context` as `EncryptionContext`. The
   * returned `keyId` is the configured one, so {@link currentKeyId} comparisons stay stable.
   */
  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const input = {
      KeyId: this.#keyId,
      KeySpec: 'AES_256' as const,
      EncryptionContext: contextRecord(context),
    };
    const out = await this.#send('GenerateDataKey', () =>
      this.#client.send(new GenerateDataKeyCommand(input)),
    );
    if (!out.Plaintext || !out.CiphertextBlob || out.Plaintext.byteLength !== DATA_KEY_BYTES) {
      out.Plaintext?.fill(0);
      throw new KmsRequestError({ cause: new Error('KMS GenerateDataKey returned a malformed response') });
    }
    return { plaintext: shared(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob), keyId: this.#keyId };
  }

  /** `Decrypt` naming `keyId` and `context`; a mismatch of either is `credential_decrypt_failed`. */
  async decryptDataKey(wrapped: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer> {
    const input = { CiphertextBlob: wrapped, KeyId: keyId, EncryptionContext: contextRecord(context) };
    const out = await this.#send('Decrypt', () => this.#client.send(new DecryptCommand(input)));
    if (!out.Plaintext || out.Plaintext.byteLength !== DATA_KEY_BYTES) {
      out.Plaintext?.fill(0);
      throw new CredentialDecryptError();
    }
    return shared(out.Plaintext);
  }

  /** `ReEncrypt` from `fromKeyId` to `toKeyId` under the same context; KMS never returns the key. */
  async rewrapDataKey(
    wrapped: Buffer,
    fromKeyId: string,
    toKeyId: string,
    context: EncryptionContext,
  ): Promise<Buffer> {
    const record = contextRecord(context);
    const input = {
      CiphertextBlob: wrapped,
      SourceKeyId: fromKeyId,
      DestinationKeyId: toKeyId,
      SourceEncryptionContext: record,
      DestinationEncryptionContext: record,
    };
    const out = await this.#send('ReEncrypt', () => this.#client.send(new ReEncryptCommand(input)));
    if (!out.CiphertextBlob || out.CiphertextBlob.byteLength === 0) {
      throw new KmsRequestError({ cause: new Error('KMS ReEncrypt returned a malformed response') });
    }
    return Buffer.from(out.CiphertextBlob);
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translateKmsError(err, operation, this.#retryAfterSeconds);
    }
  }
}

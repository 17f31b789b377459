/**
 * Envelope encryption of provider credentials. Each call to {@link encryptSecret} asks the
 * {@link KeyProvider} for a fresh 256-bit data key, encrypts the secret with AES-256-GCM under it
 * (12-byte random IV, 16-byte tag) and stores only the wrapped data key next to the ciphertext.
 * The canonical encryption context is the AAD of the payload as well as the context of the data
 * key, so a record moved to another provider, credential, version or purpose fails twice over.
 *
 * Failure mode: anything that does not authenticate is a {@link CredentialDecryptError}; plaintext
 * is only produced after the GCM tag has been verified, so a failure never yields partial output.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialDecryptError } from './errors.js';
import { canonicalContext, type EncryptionContext, type KeyProvider } from './key-provider.js';

/** The one algorithm version this library writes and reads. */
export const ENVELOPE_ALG = 'AES-256-GCM/v1';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A stored, encrypted credential. All binary fields are standard base64 (with padding). Safe to
 * persist and log-free by design: it holds no plaintext and no unwrapped key.
 */
export interface EncryptedSecret {
  alg: typeof ENVELOPE_ALG;
  /** Master key id the data key is wrapped under (a KMS key ARN, or a local key id). */
  key_id: string;
  wrapped_key: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

interface DecodedSecret {
  keyId: string;
  wrapped: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Strict base64: anything Node would silently repair or skip (bad characters, padding) fails. */
function decodeBase64(value: unknown): Buffer {
  if (typeof value !== 'string') throw new CredentialDecryptError();
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) throw new CredentialDecryptError();
  return bytes;
}

/** Validates the shape of a stored record (it comes from a table, so it is untrusted input). */
function decode(secret: EncryptedSecret): DecodedSecret {
  const s: Partial<Record<keyof EncryptedSecret, unknown>> =
    typeof secret === 'object' && secret !== null ? secret : {};
  if (s.alg !== ENVELOPE_ALG || typeof s.key_id !== 'string' || s.key_id.length === 0) {
    throw new CredentialDecryptError();
  }
  const decoded = {
    keyId: s.key_id,
    wrapped: decodeBase64(s.wrapped_key),
    iv: decodeBase64(s.iv),
    ciphertext: decodeBase64(s.ciphertext),
    tag: decodeBase64(s.tag),
  };
  if (decoded.wrapped.length === 0 || decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new CredentialDecryptError();
  }
  return decoded;
}

/**
 * Encrypts `plaintext` (UTF-8) under a fresh data key bound to `context`. One key-provider call
 * (one KMS `GenerateDataKey` in AWS). The plaintext data key and the encoded input are zeroed
 * before returning (best effort: the JS string itself cannot be wiped).
 *
 * @throws TypeError when `context` is incomplete; the key provider's errors (`kms_*`) as they are.
 */
export async function encryptSecret(
  plaintext: string,
  context: EncryptionContext,
  keyProvider: KeyProvider,
): Promise<EncryptedSecret> {
  const aad = canonicalContext(context);
  const dataKey = await keyProvider.generateDataKey(context);
  const message = Buffer.from(plaintext, 'utf8');
  try {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(message), cipher.final()]);
    return {
      alg: ENVELOPE_ALG,
      key_id: dataKey.keyId,
      wrapped_key: dataKey.wrapped.toString('base64'),
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  } finally {
    dataKey.plaintext.fill(0);
    message.fill(0);
  }
}

/**
 * Decrypts a record produced by {@link encryptSecret} under the same `context`. One key-provider
 * call (one KMS `Decrypt`); put a `SecretCache` (`secret-cache.ts`) in front of it so requests make none.
 *
 * @throws CredentialDecryptError on any tamper, a wrong context or an unknown `alg`; the key
 * provider's `kms_*` errors when the key service fails. Never returns partial plaintext.
 */
export async function decryptSecret(
  secret: EncryptedSecret,
  context: EncryptionContext,
  keyProvider: KeyProvider,
): Promise<string> {
  const aad = canonicalContext(context);
  const { keyId, wrapped, iv, ciphertext, tag } = decode(secret);
  const dataKey = await keyProvider.decryptDataKey(wrapped, keyId, context);
  let body: Buffer | undefined;
  try {
    if (dataKey.length !== KEY_BYTES) throw new CredentialDecryptError();
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    body = decipher.update(ciphertext);
    try {
      decipher.final();
    } catch {
      throw new CredentialDecryptError();
    }
    return body.toString('utf8');
  } finally {
    dataKey.fill(0);
    body?.fill(0);
  }
}

/**
 * Re-wraps the data key of `secret` under the master key `toKeyId` (KMS `ReEncrypt`; the data key
 * never reaches this process in AWS). Only `key_id` and `wrapped_key` change; IV, ciphertext and
 * tag are copied untouched. Idempotent: a record already under `toKeyId` is returned as a copy
 * without calling the key provider, which makes a re-run of an interrupted re-wrap cheap.
 *
 * @throws CredentialDecryptError when the record is malformed or its wrapped key does not
 * authenticate under `context`; the key provider's `kms_*` errors.
 */
export async function rewrapSecret(
  secret: EncryptedSecret,
  context: EncryptionContext,
  keyProvider: KeyProvider,
  toKeyId: string,
): Promise<EncryptedSecret> {
  canonicalContext(context);
  const { keyId, wrapped } = decode(secret);
  const copy: EncryptedSecret = {
    alg: ENVELOPE_ALG,
    key_id: secret.key_id,
    wrapped_key: secret.wrapped_key,
    iv: secret.iv,
    ciphertext: secret.ciphertext,
    tag: secret.tag,
  };
  if (keyId === toKeyId) return copy;
  const rewrapped = await keyProvider.rewrapDataKey(wrapped, keyId, toKeyId, context);
  return { ...copy, key_id: toKeyId, wrapped_key: rewrapped.toString('base64') };
}

/**
 * The master-key contract of envelope encryption. AWS implements it with KMS
 * (`kms-key-provider.ts`), the local runtime with a master key file
 * (`local-key-provider.ts`). Both bind every data key to an {@link EncryptionContext}: a
 * wrapped key unwraps only under the exact context it was created with, which is what stops a
 * ciphertext moved onto another credential record from decrypting.
 */

/**
 * What a credential's ciphertext is bound to. All fields are non-empty strings; they are passed to
 * KMS as `EncryptionContext` and, in {@link canonicalContext} form, used as GCM AAD. `destination`
 * (where the provider sends the credential, see `lib/services/providers/destination.ts`) is set on
 * every credential stored since destinations were bound, and absent on older ones.
 */
export interface EncryptionContext {
  provider_id: string;
  credential_id: string;
  version: string;
  purpose: string;
  destination?: string;
}

/**
 * A fresh data key. `plaintext` is 32 bytes (AES-256) and must be zeroed by the caller after use;
 * `wrapped` is the same key encrypted under the master key `keyId` and is safe to store.
 */
export interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
  keyId: string;
}

/**
 * A source of data keys wrapped under a master key. Implementations fail closed with the errors of
 * `./errors.ts`: `credential_decrypt_failed` when a wrapped key does not authenticate under the
 * given key id and context, `kms_*` codes when the key service itself fails.
 */
export interface KeyProvider {
  /** current master key id used for new data keys */
  currentKeyId(): string;
  /** Creates a fresh 256-bit data key bound to `context`. */
  generateDataKey(context: EncryptionContext): Promise<DataKey>;
  /** Unwraps a stored data key; the caller zeroes the returned buffer after use. */
  decryptDataKey(wrapped: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer>;
  /** re-wrap a data key under another master key without exposing it to the caller's storage */
  rewrapDataKey(
    wrapped: Buffer,
    fromKeyId: string,
    toKeyId: string,
    context: EncryptionContext,
  ): Promise<Buffer>;
}

/** The context fields in canonical (sorted) order; `destination` is optional. */
const CONTEXT_FIELDS = ['credential_id', 'destination', 'provider_id', 'purpose', 'version'] as const;
const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(['destination']);

/**
 * Returns a copy of `context` holding exactly the context fields, after checking each is a
 * non-empty string (an optional one may be absent). Extra properties a caller's object happens to
 * carry are dropped, so they can never change what a key is bound to.
 *
 * @throws TypeError when a required field is missing, or any field is not a non-empty string.
 */
export function contextRecord(context: EncryptionContext): Record<string, string> {
  const record: Record<string, string> = {};
  for (const field of CONTEXT_FIELDS) {
    const value: unknown = context[field];
    if (value === undefined && OPTIONAL_FIELDS.has(field)) continue;
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError(`encryption context field ${field} must be a non-empty string`);
    }
    record[field] = value;
  }
  return record;
}

/**
 * The canonical byte form of a context: JSON with keys in sorted order and only the context fields,
 * UTF-8 encoded. Used as the AAD of both the data-key wrap (local provider) and the payload, so the
 * same context always yields the same bytes whatever order the caller built the object in.
 *
 * @throws TypeError as {@link contextRecord}.
 */
export function canonicalContext(context: EncryptionContext): Buffer {
  return Buffer.from(JSON.stringify(contextRecord(context)), 'utf8');
}

/**
 * The stored shape of a credential and its mapping to and from table items. One item per
 * credential (`keys.credential(id)`) holds every live key version, so a rotation, a revoke or a
 * re-wrap is one conditional write of one item: a record is always entirely before or entirely
 * after a change, never half-way.
 *
 * Naming: the item attribute `version` is the optimistic-concurrency counter every table item
 * carries; the credential's own key version is `key_version` inside, and is exposed as `version` in
 * the API (`toCredential`).
 */
import * as z from 'zod';
import type { EncryptedSecret } from '../../crypto/envelope.js';
import type { EncryptionContext } from '../../crypto/key-provider.js';
import type { Credential } from '../../schemas/credentials.js';
import { CREDENTIAL_TYPES } from '../../schemas/vocabulary.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type Actor, actorAttributes } from '../actor.js';

/** The `purpose` of every provider-credential encryption context. */
export const CREDENTIAL_PURPOSE = 'provider-credential';
/** Most key versions one credential holds at once (active plus retiring); bounds the item size. */
export const MAX_LIVE_VERSIONS = 10;
/** Shortest api_key that gets a `hint`; shorter keys would give away too large a share. */
export const HINT_MIN_LENGTH = 12;

export type CredentialType = (typeof CREDENTIAL_TYPES)[number];
export type VersionStatus = 'active' | 'retiring' | 'invalid' | 'revoked';

const storedSecret = z.object({
  alg: z.string(),
  key_id: z.string(),
  wrapped_key: z.string(),
  iv: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});

const storedVersion = z.object({
  key_version: z.number().int().min(1),
  status: z.enum(['active', 'retiring', 'invalid', 'revoked']),
  created_at: z.string(),
  destroy_after: z.string().optional(),
  hint: z.string().max(4).optional(),
  /** Absent for aws_iam, and once destroyed (revoked). The envelope checks its fields on decrypt. */
  secret: storedSecret.optional(),
});
export type StoredVersion = Omit<z.infer<typeof storedVersion>, 'secret'> & { secret?: EncryptedSecret };

const storedRecord = z.object({
  id: z.string(),
  provider_id: z.string(),
  name: z.string(),
  credential_type: z.enum(CREDENTIAL_TYPES),
  active_version: z.number().int().min(1),
  versions: z.array(storedVersion),
  revoked_at: z.string().nullable().optional(),
  expires_at: z.string().nullable().optional(),
  last_used_at: z.string().nullable().optional(),
  source: z.string().optional(),
  destination: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int().min(1),
});

/** A credential as the service works with it (the item minus keys and actor attributes). */
export interface CredentialRecord {
  id: string;
  provider_id: string;
  name: string;
  credential_type: CredentialType;
  /** The key version new requests use. */
  active_version: number;
  /** Live versions, oldest first. */
  versions: StoredVersion[];
  revoked_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  /** `environment:<VARIABLE>` for credentials imported from the environment. */
  source?: string;
  /**
   * Where the credential may be sent (`destinationOf` the provider when it was stored, or when an
   * admin last moved the provider); part of every version's encryption context. Absent on
   * credentials stored before destinations were bound.
   */
  destination?: string;
  created_at: string;
  updated_at: string;
  /** Optimistic-concurrency counter of the item. */
  version: number;
}

/**
 * Reads a credential item. Items come from a table, so they are untrusted: a malformed one throws
 * (a generic 500; nothing of it is echoed). The ciphertext fields are checked again on decrypt.
 */
export function fromItem(item: Item): CredentialRecord {
  const r = storedRecord.parse(item);
  return {
    ...r,
    versions: r.versions as StoredVersion[],
    revoked_at: r.revoked_at ?? null,
    expires_at: r.expires_at ?? null,
    last_used_at: r.last_used_at ?? null,
  };
}

/** The full item of a new credential: keys of the table, of gsi1 (per provider) and gsi2 (all). */
export function toItem(record: CredentialRecord, actor: Actor): Item {
  // `last_used_at` is absent until first use: the touch's condition reads "absent or older".
  const { last_used_at: _unused, ...fields } = record;
  return {
    ...keys.credential(record.id),
    ...keys.credentialIndex(record.provider_id, record.id),
    ...keys.credentialListIndex(record.id),
    entity: 'credential',
    ...fields,
    ...actorAttributes(actor),
  };
}

/**
 * The encryption context of one key version: bound to provider, credential, version, purpose and
 * (when the record has one) destination.
 */
export function contextOf(
  record: Pick<CredentialRecord, 'id' | 'provider_id' | 'destination'>,
  keyVersion: number,
): EncryptionContext {
  return {
    provider_id: record.provider_id,
    credential_id: record.id,
    version: String(keyVersion),
    purpose: CREDENTIAL_PURPOSE,
    ...(record.destination ? { destination: record.destination } : {}),
  };
}

/** The active version of a record, if it still exists. */
export function activeVersionOf(record: CredentialRecord): StoredVersion | undefined {
  return record.versions.find((v) => v.key_version === record.active_version);
}

/** The last 4 characters of an api_key of at least {@link HINT_MIN_LENGTH}; otherwise none. */
export function hintOf(type: CredentialType, value: string | undefined): string | undefined {
  return type === 'api_key' && value !== undefined && value.length >= HINT_MIN_LENGTH
    ? value.slice(-4)
    : undefined;
}

/** Whether `expires_at` has passed at `nowMs`. */
export function isExpired(record: Pick<CredentialRecord, 'expires_at'>, nowMs: number): boolean {
  return record.expires_at !== null && Date.parse(record.expires_at) <= nowMs;
}

/** The credential's status: revoked and expired first, else that of its active version. */
export function statusOf(record: CredentialRecord, nowMs: number): Credential['status'] {
  if (record.revoked_at) return 'revoked';
  if (isExpired(record, nowMs)) return 'expired';
  return activeVersionOf(record)?.status === 'invalid' ? 'invalid' : 'active';
}

/** The public metadata of a credential. No secret, no ciphertext, no key id. */
export function toCredential(record: CredentialRecord, nowMs: number): Credential {
  const active = activeVersionOf(record);
  return {
    id: record.id,
    provider_id: record.provider_id,
    name: record.name,
    credential_type: record.credential_type,
    status: statusOf(record, nowMs),
    version: record.active_version,
    created_at: record.created_at,
    updated_at: record.updated_at,
    last_used_at: record.last_used_at,
    expires_at: record.expires_at,
    destination: record.destination ?? null,
    ...(active?.hint ? { hint: active.hint } : {}),
    versions: record.versions.map((v) => ({
      version: v.key_version,
      status: v.status,
      created_at: v.created_at,
      ...(v.destroy_after ? { destroy_after: v.destroy_after } : {}),
      ...(v.hint ? { hint: v.hint } : {}),
    })),
  };
}

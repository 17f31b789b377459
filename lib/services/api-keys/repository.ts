import { readCacheSetting } from '../../auth/cache-setting.js';
import type { Role } from '../../auth/roles.js';
import { SECRET_ENTITY } from '../../auth/stored-key.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { CacheSetting } from '../../schemas/cache.js';
import { keys } from '../../store/keys.js';
import type { Item, Table } from '../../store/table.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { type Actor, actorAttributes } from '../actor.js';

/** `entity` of a key's record (metadata and the hashes of its live secrets). */
export const RECORD_ENTITY = 'api_key';

/** How long a revoked secret item is kept (as a tombstone) before DynamoDB's TTL removes it. */
const REVOKED_SECRET_TTL_SECONDS = 7 * 86_400;

/** What a key grants; copied onto each secret item so authentication is one read. */
export interface KeyGrantFields {
  keyId: string;
  role: Role;
  providerIds: string[] | null;
  modelIds: string[] | null;
  expiresAt: string | null;
  rateLimitRpm: number | null;
  rateLimitTpm: number | null;
  /** The key's team (fixed at creation); its scope lists are the key's own, narrowed by the team's at use. */
  teamId: string | null;
  /** The key's response-cache setting (`docs/cache.md`), fixed at creation. */
  cache: CacheSetting | null;
  /** Request and response bodies of this key's AI requests go into the request log (set by an admin). */
  logPayloads: boolean;
}

/** A key's record as first written: active, one secret, version 1. */
export function recordItem(input: {
  grant: KeyGrantFields;
  name: string;
  hint: string;
  hash: string;
  createdBy: string;
  now: string;
  actor: Actor;
}): Item {
  const { grant, now } = input;
  return {
    ...keys.apiKeyRecord(grant.keyId),
    ...keys.apiKeyListIndex(now, grant.keyId),
    ...(grant.teamId ? keys.teamKeyIndex(grant.teamId, now, grant.keyId) : {}),
    entity: RECORD_ENTITY,
    id: grant.keyId,
    name: input.name,
    role: grant.role,
    provider_ids: grant.providerIds,
    model_ids: grant.modelIds,
    expires_at: grant.expiresAt,
    rate_limit_rpm: grant.rateLimitRpm,
    rate_limit_tpm: grant.rateLimitTpm,
    team_id: grant.teamId,
    cache: grant.cache,
    log_payloads: grant.logPayloads,
    status: 'active',
    key_hint: input.hint,
    // Current secret first; during a rotation's grace period the replaced one follows.
    secret_hashes: [input.hash],
    created_by: input.createdBy,
    // No last_used_at / revoked_at yet: their conditions (`attribute_not_exists`, `if_not_exists`)
    // read a stored null as present.
    last_rotated_at: null,
    version: 1,
    created_at: now,
    updated_at: now,
    ...actorAttributes(input.actor),
  };
}

/** The secret item the authorizer reads by the key's HMAC. */
export function secretItem(input: { hash: string; grant: KeyGrantFields; now: string; actor: Actor }): Item {
  const { grant } = input;
  return {
    ...keys.apiKeyByHash(input.hash),
    ...keys.apiKeyIdIndex(grant.keyId),
    entity: SECRET_ENTITY,
    key_id: grant.keyId,
    role: grant.role,
    provider_ids: grant.providerIds,
    model_ids: grant.modelIds,
    expires_at: grant.expiresAt,
    rate_limit_rpm: grant.rateLimitRpm,
    rate_limit_tpm: grant.rateLimitTpm,
    team_id: grant.teamId,
    cache: grant.cache,
    log_payloads: grant.logPayloads,
    secret_expires_at: null,
    status: 'active',
    created_at: input.now,
    ...actorAttributes(input.actor),
  };
}

/**
 * Writes a new secret item; it must not exist. It exists only when a concurrent revoke already
 * left a tombstone for this hash (see {@link revokeSecret}): then the key was revoked meanwhile.
 */
export async function createSecret(table: Table, item: Item): Promise<void> {
  await table.create(
    item,
    () => new ConflictError('The key was revoked while it was being rotated.', { code: 'key_revoked' }),
  );
}

/**
 * Marks a secret revoked. Deliberately an upsert: if a concurrent rotation has not written its new
 * secret yet, this leaves a revoked tombstone under that hash, and the rotation's create fails.
 */
export async function revokeSecret(table: Table, input: { hash: string; keyId: string; nowMs: number }) {
  await table.update({
    key: keys.apiKeyByHash(input.hash),
    set: {
      status: 'revoked',
      entity: SECRET_ENTITY,
      key_id: input.keyId,
      revoked_at: new Date(input.nowMs).toISOString(),
      [TABLE_SCHEMA.ttlAttribute]: Math.floor(input.nowMs / 1000) + REVOKED_SECRET_TTL_SECONDS,
    },
  });
}

/**
 * Lets a replaced secret work until `untilMs` (a rotation's grace period), then DynamoDB's TTL
 * removes it (reads ignore it at once). A secret revoked meanwhile stays revoked.
 */
export async function retireSecret(table: Table, input: { hash: string; untilMs: number }): Promise<void> {
  // Refused: the secret was revoked meanwhile and stays revoked.
  await table.update({
    key: keys.apiKeyByHash(input.hash),
    set: {
      secret_expires_at: new Date(input.untilMs).toISOString(),
      [TABLE_SCHEMA.ttlAttribute]: Math.ceil(input.untilMs / 1000),
    },
    condition: '#status = :active',
    names: { '#status': 'status' },
    values: { ':active': 'active' },
  });
}

/**
 * Marks a key's record revoked (idempotent: the first `revoked_at` is kept) and returns it as
 * stored, with the hashes of every secret it still lists. The version is bumped, so a rotation
 * that read the record before fails its versioned update with 409.
 */
export async function markRecordRevoked(
  table: Table,
  input: { keyId: string; nowMs: number; actor: Actor },
): Promise<Item> {
  const now = new Date(input.nowMs).toISOString();
  const outcome = await table.update({
    key: keys.apiKeyRecord(input.keyId),
    set: { status: 'revoked', updated_at: now, ...actorAttributes(input.actor) },
    setIfAbsent: { revoked_at: now },
    add: { version: 1 },
    condition: 'attribute_exists(pk)',
    returnValues: 'ALL_NEW',
  });
  if (!outcome.applied) throw new NotFoundError('API key');
  return outcome.item as Item;
}

/**
 * After a rotation has revoked or retired the secrets it replaced, drops them from the record's
 * list, only if nothing changed the record since (`version`); otherwise the next revoke or rotation
 * handles the longer list. Does not bump the version: the list is bookkeeping, not configuration.
 */
export async function pruneSecretHashes(
  table: Table,
  input: { keyId: string; version: number; hashes: string[] },
): Promise<void> {
  // Refused: something changed the record since; the next revoke or rotation prunes the list.
  await table.update({
    key: keys.apiKeyRecord(input.keyId),
    set: { secret_hashes: input.hashes },
    condition: '#version = :version',
    names: { '#version': 'version' },
    values: { ':version': input.version },
  });
}

/** The hashes of the secrets a record lists (current first). */
export function hashesOf(record: Item): string[] {
  const value = record.secret_hashes;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The grant fields of a stored record, copied onto a new secret item by a rotation. */
export function grantFieldsOf(record: Item): KeyGrantFields {
  const list = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;
  return {
    keyId: String(record.id),
    role: record.role as Role,
    providerIds: list(record.provider_ids),
    modelIds: list(record.model_ids),
    expiresAt: typeof record.expires_at === 'string' ? record.expires_at : null,
    rateLimitRpm: typeof record.rate_limit_rpm === 'number' ? record.rate_limit_rpm : null,
    rateLimitTpm: typeof record.rate_limit_tpm === 'number' ? record.rate_limit_tpm : null,
    teamId: typeof record.team_id === 'string' ? record.team_id : null,
    cache: readCacheSetting(record.cache),
    logPayloads: record.log_payloads === true,
  };
}

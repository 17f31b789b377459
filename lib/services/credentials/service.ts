/**
 * The administrator's side of credentials: create, list (metadata only), rotate and revoke. No
 * function here returns or logs a plaintext value; what leaves is `toCredential`'s metadata.
 */
import type { Principal } from '../../auth/roles.js';
import { isScoped } from '../../auth/scope.js';
import { encryptSecret } from '../../crypto/envelope.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../ids.js';
import { logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Credential, CredentialCreate, CredentialRotate } from '../../schemas/credentials.js';
import { keys } from '../../store/keys.js';
import { type Actor, canSeeProvider, outOfScope, scopedKeyRefused } from '../actor.js';
import { destinationOf } from '../providers/destination.js';
import { toProvider } from '../providers/mapper.js';
import { loadProviderItem } from '../providers/service.js';
import { forgetCredential } from './cache.js';
import {
  type CredentialRecord,
  type CredentialType,
  contextOf,
  fromItem,
  hintOf,
  MAX_LIVE_VERSIONS,
  type StoredVersion,
  toCredential,
  toItem,
} from './record.js';
import { loadRecord, mutateRecord, sweepVersions } from './store.js';
import { checkCredentialValue } from './validate.js';

const NOT_FOUND = () => new NotFoundError('Credential');
const HOUR_MS = 3_600_000;

function checkExpiry(expiresAt: string | null | undefined, nowMs: number): void {
  if (typeof expiresAt === 'string' && Date.parse(expiresAt) <= nowMs) {
    throw new ValidationError('expires_at must be in the future.', {
      details: [{ field: 'expires_at', message: 'must be in the future' }],
    });
  }
}

/** A new active key version: a fresh data key and envelope bound to this record and version. */
async function newVersion(
  deps: Gateway,
  record: Pick<CredentialRecord, 'id' | 'provider_id' | 'credential_type' | 'destination'>,
  keyVersion: number,
  value: string | undefined,
): Promise<StoredVersion> {
  const secret =
    value === undefined
      ? undefined
      : await encryptSecret(value, contextOf(record, keyVersion), await deps.keyProvider());
  const hint = hintOf(record.credential_type, value);
  return {
    key_version: keyVersion,
    status: 'active',
    created_at: new Date(deps.now()).toISOString(),
    ...(hint ? { hint } : {}),
    ...(secret ? { secret } : {}),
  };
}

/** Reads a credential the principal may see (that of a provider outside its scope is a 404). */
async function loadVisible(
  deps: Gateway,
  credentialId: string,
  principal?: Principal,
): Promise<CredentialRecord> {
  const record = await loadRecord(deps, credentialId);
  if (!record) throw NOT_FOUND();
  if (!canSeeProvider(principal, record.provider_id)) throw outOfScope('Credential', credentialId);
  return record;
}

/**
 * A provider's credential serves every key that reaches the provider, so changing one is for
 * unscoped keys only: a scoped key that could see it still gets 403 `scoped_key`.
 */
function assertUnscoped(principal: Principal | undefined, target: string): void {
  if (isScoped(principal)) {
    throw scopedKeyRefused(
      "A scoped key cannot change a provider's credentials: other keys use them.",
      target,
    );
  }
}

/** What {@link insertCredential} stores. */
export interface NewCredential {
  providerId: string;
  type: CredentialType;
  value: string | undefined;
  name?: string | undefined;
  expiresAt?: string | undefined;
  source?: string;
  principal?: Principal;
  actor: Actor;
}

/**
 * Stores a new credential (key version 1) after checking the provider, the value's rules and the
 * expiry. One key-provider call (KMS `GenerateDataKey`) unless `aws_iam`.
 *
 * @throws NotFoundError (404) for a provider the principal cannot see; ValidationError (422) for a
 * value that breaks a rule (never echoing it); the key provider's `kms_*` errors (nothing stored).
 */
export async function insertCredential(deps: Gateway, input: NewCredential): Promise<CredentialRecord> {
  const provider = await loadProviderItem(deps, input.providerId, input.principal);
  assertUnscoped(input.principal, input.providerId);
  const secretPrefix = deps.config.CREDENTIAL_SECRET_PREFIX;
  checkCredentialValue({
    type: input.type,
    value: input.value,
    providerType: String(provider.provider_type),
    secretPrefix,
  });
  const nowMs = deps.now();
  checkExpiry(input.expiresAt, nowMs);
  const base = {
    id: newId('cred', nowMs),
    provider_id: input.providerId,
    credential_type: input.type,
    destination: destinationOf(toProvider(provider)),
  };
  const first = await newVersion(deps, base, 1, input.value);
  const now = new Date(nowMs).toISOString();
  const record: CredentialRecord = {
    ...base,
    name: input.name ?? input.type,
    active_version: 1,
    versions: [first],
    revoked_at: null,
    expires_at: input.expiresAt ?? null,
    last_used_at: null,
    ...(input.source ? { source: input.source } : {}),
    created_at: now,
    updated_at: now,
    version: 1,
  };
  await deps.table.create(
    toItem(record, input.actor),
    () => new ConflictError('Credential id collision; retry.'),
  );
  forgetCredential(deps, record.provider_id);
  logger.info('credential created', { credential_id: record.id, provider_id: record.provider_id });
  return record;
}

/** `POST /api/providers/{id}/credentials`: stores a credential and returns its metadata. */
export async function createCredential(
  deps: Gateway,
  input: { providerId: string; body: CredentialCreate; principal: Principal; actor: Actor },
): Promise<Credential> {
  const { body } = input;
  const record = await insertCredential(deps, {
    providerId: input.providerId,
    type: body.credential_type,
    value: body.credential_value,
    name: body.name,
    expiresAt: body.expires_at,
    principal: input.principal,
    actor: input.actor,
  });
  return toCredential(record, deps.now());
}

/**
 * A record as the next write will leave it: due retiring versions left out. Read routes never write
 * (their functions hold no write grant), so the ciphertext itself is destroyed by the next write of
 * the credential, the next resolution of it (AI calls and health probes) or a re-wrap sweep.
 */
function sweptView(record: CredentialRecord, nowMs: number): CredentialRecord {
  return { ...record, versions: sweepVersions(record.versions, nowMs).kept };
}

/** `GET /api/providers/{id}/credentials`: a page of metadata, newest first. */
export async function listCredentials(
  deps: Gateway,
  input: { providerId: string; limit: number; cursor?: string | undefined; principal: Principal },
) {
  await loadProviderItem(deps, input.providerId, input.principal);
  const page = await deps.table.queryPage({
    index: 'gsi1',
    partition: keys.credentialsOfProvider(input.providerId),
    limit: input.limit,
    cursor: input.cursor,
    newestFirst: true,
  });
  const nowMs = deps.now();
  const records = page.items.map((item) => sweptView(fromItem(item), nowMs));
  return {
    data: records.map((r) => toCredential(r, nowMs)),
    next_cursor: page.nextCursor,
    has_more: page.nextCursor !== null,
  };
}

/**
 * Replaces a credential's value with a new key version. New requests use it at once (this
 * container's caches are dropped; others within `ROUTING_CACHE_TTL`); the previous version becomes
 * `retiring` and stays decryptable for `CREDENTIAL_GRACE_HOURS`, then is destroyed.
 *
 * @throws NotFoundError; ValidationError (aws_iam, a bad value, a past expiry); ConflictError
 * `credential_revoked` or `too_many_versions` (409); `kms_*` errors (nothing changed).
 */
export async function rotateCredential(
  deps: Gateway,
  input: { credentialId: string; body: CredentialRotate; principal?: Principal; actor: Actor },
): Promise<Credential> {
  const existing = await loadVisible(deps, input.credentialId, input.principal);
  assertUnscoped(input.principal, input.credentialId);
  const { credential_value: value, expires_at: expiresAt } = input.body;
  if (existing.credential_type === 'aws_iam') {
    throw new ValidationError('An aws_iam credential has no value to rotate.');
  }
  const secretPrefix = deps.config.CREDENTIAL_SECRET_PREFIX;
  checkCredentialValue({ type: existing.credential_type, value, providerType: '', secretPrefix });
  checkExpiry(expiresAt, deps.now());
  let prepared: StoredVersion | undefined;
  const updated = await mutateRecord(
    deps,
    input.credentialId,
    async (record, { nowMs }) => {
      if (record.revoked_at) {
        throw new ConflictError('The credential is revoked; create a new one.', {
          code: 'credential_revoked',
        });
      }
      if (record.versions.length >= MAX_LIVE_VERSIONS) {
        throw new ConflictError('Too many versions are still in their grace period; retry later.', {
          code: 'too_many_versions',
        });
      }
      const keyVersion = record.active_version + 1;
      // A conflict re-runs this step; the envelope is bound to the version, so rebuild it if that moved.
      if (prepared?.key_version !== keyVersion) prepared = await newVersion(deps, record, keyVersion, value);
      const destroyAfter = new Date(nowMs + deps.config.CREDENTIAL_GRACE_HOURS * HOUR_MS).toISOString();
      const versions = record.versions.map(
        (v): StoredVersion =>
          v.key_version === record.active_version
            ? { ...v, status: 'retiring', destroy_after: destroyAfter }
            : v,
      );
      return {
        versions: [...versions, prepared],
        active_version: keyVersion,
        ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
      };
    },
    input.actor,
  );
  if (!updated) throw NOT_FOUND();
  forgetCredential(deps, updated.provider_id, updated.id);
  logger.info('credential rotated', { credential_id: updated.id, version: updated.active_version });
  return toCredential(updated, deps.now());
}

/**
 * Revokes a credential: every version's ciphertext is destroyed in one write and the status becomes
 * `revoked` (the metadata stays, for the record). Revoking twice is a no-op.
 *
 * @throws NotFoundError for a credential the principal cannot see.
 */
export async function revokeCredential(
  deps: Gateway,
  input: { credentialId: string; principal?: Principal; actor: Actor },
): Promise<void> {
  await loadVisible(deps, input.credentialId, input.principal);
  assertUnscoped(input.principal, input.credentialId);
  const updated = await mutateRecord(
    deps,
    input.credentialId,
    async (record, { nowMs }) => {
      if (record.revoked_at) return null;
      return {
        revoked_at: new Date(nowMs).toISOString(),
        versions: record.versions.map(
          ({ secret: _secret, destroy_after: _destroy, ...v }): StoredVersion => ({
            ...v,
            status: 'revoked',
          }),
        ),
      };
    },
    input.actor,
  );
  if (!updated) throw NOT_FOUND();
  forgetCredential(deps, updated.provider_id, updated.id);
  logger.info('credential revoked', { credential_id: updated.id });
}

import type { Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ApiKey, ApiKeyPatch } from '../../schemas/api-keys.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type Actor, actorAttributes } from '../actor.js';
import { assertKeyActive, grantOf, toApiKey } from './mapper.js';
import { hashesOf } from './repository.js';
import { assertWithinCaller, futureExpiry, loadRecord, teamListsOf } from './service.js';

/** The grant fields a PATCH may change, as the record and each secret item store them. */
const LIMIT_FIELDS = ['expires_at', 'rate_limit_rpm', 'rate_limit_tpm'] as const;

/**
 * Copies the record's limits onto each secret it lists that is still active and holds an older
 * copy (`grant_version` below the record's version), so the authorizer, which reads only the secret
 * item, enforces them. A secret not written yet (a rotation in flight) is skipped: that rotation
 * copies the record as it then reads it.
 */
export async function copyLimitsToSecrets(deps: Gateway, record: Item): Promise<void> {
  const version = Number(record.version);
  await Promise.all(
    hashesOf(record).map((hash) =>
      deps.table.update({
        key: keys.apiKeyByHash(hash),
        set: {
          ...Object.fromEntries(LIMIT_FIELDS.map((f) => [f, record[f] ?? null])),
          grant_version: version,
        },
        condition:
          'attribute_exists(pk) AND #status = :active AND (attribute_not_exists(grant_version) OR grant_version < :v)',
        names: { '#status': 'status' },
        values: { ':active': 'active', ':v': version },
      }),
    ),
  );
}

/**
 * Changes a key's name, rate limits or expiry. The caller must be able to manage the key (else 404)
 * and the key must stay within the caller's own grant (403 `key_exceeds_caller`); its role, scope,
 * team, cache and payload logging never change here. The record is updated under its version
 * (409 on a concurrent change), then every live secret it lists, which the authorizer reads: new
 * limits apply to new lookups at once, and within `AUTH_CACHE_TTL_SECONDS` where a key is cached.
 *
 * @throws 409 `key_revoked` / `key_expired` for a key that no longer works; 422 for a past expiry.
 */
export async function updateApiKey(
  deps: Gateway,
  input: { id: string; patch: ApiKeyPatch; caller: Principal; actor: Actor },
): Promise<ApiKey> {
  const current = await loadRecord(deps, input.id, input.caller);
  const nowMs = deps.now();
  assertKeyActive(current, nowMs, 'changed');
  const { version, ...patch } = input.patch;
  const changes: Record<string, unknown> = { ...patch };
  if (patch.expires_at !== undefined) changes.expires_at = futureExpiry(patch.expires_at, nowMs);
  const next = { ...current, ...changes };
  assertWithinCaller(grantOf(next, await teamListsOf(deps, current.team_id)), input.caller);
  const updated = await deps.table.updateVersioned({
    key: keys.apiKeyRecord(input.id),
    expectedVersion: version ?? Number(current.version),
    changes: { ...changes, updated_at: new Date(nowMs).toISOString(), ...actorAttributes(input.actor) },
    what: 'API key',
  });
  if (LIMIT_FIELDS.some((f) => f in changes)) await copyLimitsToSecrets(deps, updated);
  return toApiKey(updated, nowMs);
}

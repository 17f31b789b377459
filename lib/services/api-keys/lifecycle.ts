import { hashApiKey, keyHint, newApiKeySecret } from '../../auth/api-key.js';
import type { Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ApiKeyWithSecret } from '../../schemas/api-keys.js';
import { keys } from '../../store/keys.js';
import { type Actor, actorAttributes } from '../actor.js';
import { assertKeyActive, toApiKey } from './mapper.js';
import {
  createSecret,
  grantFieldsOf,
  hashesOf,
  markRecordRevoked,
  pruneSecretHashes,
  retireSecret,
  revokeSecret,
  secretItem,
} from './repository.js';
import { loadRecord } from './service.js';
import { copyLimitsToSecrets } from './update.js';

/**
 * Revokes a key: its record is marked revoked, then every secret it lists. Effective at once for
 * new lookups; an authorizer that cached the key stops accepting it within its cache TTL.
 * Idempotent: revoking a revoked key re-revokes its secrets (repairing an interrupted revoke).
 *
 * @throws 404 for an unknown key or one wider than the caller's.
 */
export async function revokeApiKey(
  deps: Gateway,
  input: { id: string; caller: Principal; actor: Actor },
): Promise<void> {
  const current = await loadRecord(deps, input.id, input.caller);
  const nowMs = deps.now();
  const record =
    current.status === 'revoked'
      ? current
      : await markRecordRevoked(deps.table, { keyId: input.id, nowMs, actor: input.actor });
  await Promise.all(
    hashesOf(record).map((hash) => revokeSecret(deps.table, { hash, keyId: input.id, nowMs })),
  );
}

/**
 * Gives a key a new secret (returned once) and retires the old one: at once, or after
 * `graceSeconds` (≤ 3600, never past the key's own expiry) so clients can switch over. Secrets
 * still in an earlier grace period stop at once. Role, scope and expiry are unchanged, and the
 * caller must be at least as wide as the key (else 404): rotating is minting a usable secret.
 *
 * Order: the record (versioned, listing old and new hashes) first, then the new secret, then the
 * old ones; so every secret that can authenticate is listed on the record and revocable, and a
 * concurrent revoke or rotation makes this one fail with 409 rather than leave a live secret.
 *
 * @throws 409 `key_revoked` / `key_expired`, or `version_conflict` on a concurrent change.
 */
export async function rotateApiKey(
  deps: Gateway,
  input: { id: string; graceSeconds: number; caller: Principal; actor: Actor },
): Promise<ApiKeyWithSecret> {
  // loadRecord 404s a key wider than the caller: rotating it would hand out a wider secret.
  const current = await loadRecord(deps, input.id, input.caller);
  const nowMs = deps.now();
  assertKeyActive(current, nowMs, 'rotated');
  const [previous, ...older] = hashesOf(current);
  const keyEndMs = typeof current.expires_at === 'string' ? Date.parse(current.expires_at) : Infinity;
  const graceUntilMs = input.graceSeconds > 0 ? Math.min(nowMs + input.graceSeconds * 1000, keyEndMs) : null;
  const secret = newApiKeySecret();
  const hash = hashApiKey(await deps.apiKeyPepper(), secret);
  const now = new Date(nowMs).toISOString();
  const updated = await deps.table.updateVersioned({
    key: keys.apiKeyRecord(input.id),
    expectedVersion: Number(current.version),
    changes: {
      secret_hashes: [hash, ...hashesOf(current)],
      key_hint: keyHint(secret),
      last_rotated_at: now,
      updated_at: now,
      ...actorAttributes(input.actor),
    },
    what: 'API key',
  });
  await createSecret(
    deps.table,
    secretItem({ hash, grant: grantFieldsOf(current), now, actor: input.actor }),
  );
  // A PATCH of the limits that landed after this rotation's record write may have found the new
  // secret not written yet: copy the record's limits as they stand now.
  const latest = await deps.table.get(keys.apiKeyRecord(input.id));
  if (latest && Number(latest.version) > Number(updated.version)) await copyLimitsToSecrets(deps, latest);
  const stopNow = graceUntilMs === null ? hashesOf(current) : older;
  if (previous && graceUntilMs !== null)
    await retireSecret(deps.table, { hash: previous, untilMs: graceUntilMs });
  await Promise.all(stopNow.map((h) => revokeSecret(deps.table, { hash: h, keyId: input.id, nowMs })));
  const live = previous && graceUntilMs !== null ? [hash, previous] : [hash];
  await pruneSecretHashes(deps.table, { keyId: input.id, version: Number(updated.version), hashes: live });
  return {
    ...toApiKey(updated, nowMs),
    key: secret,
    previous_key_valid_until: graceUntilMs === null ? null : new Date(graceUntilMs).toISOString(),
  };
}

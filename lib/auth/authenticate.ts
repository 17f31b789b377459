import type { Gateway } from '../runtime/gateway.js';
import { stateSlot } from '../state-slots.js';
import { keys } from '../store/keys.js';
import { hashApiKey } from './api-key.js';
import { BOOTSTRAP_KEY_ID, isBootstrapKey } from './bootstrap.js';
import { PrincipalCache } from './principal-cache.js';
import type { Principal } from './roles.js';
import { principalFromSecretItem, touchLastUsed } from './stored-key.js';
import { withTeam } from './team-principal.js';

export { BOOTSTRAP_KEY_ID };

/** What authentication needs from the gateway instance. */
export type AuthDeps = Pick<
  Gateway,
  'config' | 'table' | 'now' | 'apiKeyPepper' | 'secretsManager' | 'state'
>;

/** The instance's positive cache of the authorizer. */
const PRINCIPALS = stateSlot<Gateway, PrincipalCache>('authorizer cache', () => new PrincipalCache());

/**
 * Resolves a presented key to a principal, or `null` for any key that is not valid (unknown,
 * revoked, expired, past its rotation grace). This is the authorizer's seam:
 *
 * 1. the bootstrap admin key (constant-time compare, no table read);
 * 2. else HMAC-SHA256(pepper, key) and ONE strongly consistent GetItem of the secret item, unless a
 *    positive entry younger than `AUTH_CACHE_TTL_SECONDS` (0 = none) is held in memory;
 * 3. for a key of a team, its team (one GetItem, cached alike): scope narrowed, team limits attached;
 * 4. `last_used_at` on the key's record, at most once a minute per key.
 *
 * @throws when the pepper or the table cannot be read (the authorizer answers 401, fail closed).
 */
export async function authenticate(deps: AuthDeps, key: string): Promise<Principal | null> {
  if (await isBootstrapKey(deps, key)) return { keyId: BOOTSTRAP_KEY_ID, role: 'admin' };
  const hash = hashApiKey(await deps.apiKeyPepper(), key);
  const nowMs = deps.now();
  const cache = deps.state(PRINCIPALS);
  let principal = cache.get(hash, nowMs);
  if (!principal) {
    const item = await deps.table.get(keys.apiKeyByHash(hash));
    const found = item ? principalFromSecretItem(item, nowMs) : null;
    if (!found) return null;
    const narrowed = await withTeam(deps, found.principal);
    if (!narrowed) return null;
    principal = narrowed;
    const ttlMs = deps.config.AUTH_CACHE_TTL_SECONDS * 1000;
    if (ttlMs > 0) cache.set(hash, principal, Math.min(nowMs + ttlMs, found.validUntilMs), nowMs);
  }
  await touchLastUsed(deps, principal.keyId, nowMs);
  return principal;
}

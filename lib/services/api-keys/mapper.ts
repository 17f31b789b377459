import { readCacheSetting } from '../../auth/cache-setting.js';
import type { Grant } from '../../auth/grants.js';
import type { Role } from '../../auth/roles.js';
import { narrowList } from '../../auth/scope.js';
import { ConflictError } from '../../errors.js';
import type { ApiKey } from '../../schemas/api-keys.js';
import type { Item } from '../../store/table.js';

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const list = (value: unknown): string[] | null =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;

/** A record's status at `nowMs`: `revoked` wins, then `expired` once `expires_at` has passed. */
export function statusOf(item: Item, nowMs: number): ApiKey['status'] {
  if (item.status === 'revoked') return 'revoked';
  const expiresAt = optionalString(item.expires_at);
  return expiresAt !== null && Date.parse(expiresAt) <= nowMs ? 'expired' : 'active';
}

/** Refuses a key that no longer works: 409 `key_revoked` / `key_expired` ("it cannot be `verb`"). */
export function assertKeyActive(item: Item, nowMs: number, verb: string): void {
  const status = statusOf(item, nowMs);
  if (status !== 'active') {
    throw new ConflictError(`The key is ${status}; it cannot be ${verb}.`, { code: `key_${status}` });
  }
}

/** A team's scope lists, which narrow its keys' own (absent: the team scopes nothing). */
export interface TeamLists {
  provider_ids: readonly string[] | null;
  model_ids: readonly string[] | null;
}

/**
 * What a stored record grants (for the "no wider than the caller" checks): for a key of a team,
 * its own lists within `team`'s, as the authorizer narrows them.
 */
export function grantOf(item: Item, team?: TeamLists): Grant {
  const teamId = optionalString(item.team_id) ?? undefined;
  return {
    role: item.role as Role,
    providerIds: narrowList(list(item.provider_ids), team?.provider_ids),
    modelIds: narrowList(list(item.model_ids), team?.model_ids),
    expiresAt: optionalString(item.expires_at) ?? undefined,
    rateLimitRpm: typeof item.rate_limit_rpm === 'number' ? item.rate_limit_rpm : undefined,
    rateLimitTpm: typeof item.rate_limit_tpm === 'number' ? item.rate_limit_tpm : undefined,
    ...(teamId ? { teamId } : {}),
  };
}

/** The public view of a key record. Hashes, key attributes and the actor bookkeeping stay inside. */
export function toApiKey(item: Item, nowMs: number): ApiKey {
  return {
    id: String(item.id),
    name: String(item.name),
    role: item.role as Role,
    provider_ids: list(item.provider_ids),
    model_ids: list(item.model_ids),
    status: statusOf(item, nowMs),
    key_hint: String(item.key_hint),
    expires_at: optionalString(item.expires_at),
    rate_limit_rpm: typeof item.rate_limit_rpm === 'number' ? item.rate_limit_rpm : null,
    rate_limit_tpm: typeof item.rate_limit_tpm === 'number' ? item.rate_limit_tpm : null,
    team_id: optionalString(item.team_id),
    cache: readCacheSetting(item.cache),
    log_payloads: item.log_payloads === true,
    created_by: String(item.created_by),
    last_used_at: optionalString(item.last_used_at),
    last_rotated_at: optionalString(item.last_rotated_at),
    revoked_at: optionalString(item.revoked_at),
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}

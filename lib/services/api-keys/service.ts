import { hashApiKey, keyHint, newApiKeySecret } from '../../auth/api-key.js';
import { type Grant, grantExcess, grantWithin } from '../../auth/grants.js';
import type { Principal } from '../../auth/roles.js';
import { listWithin, narrowList } from '../../auth/scope.js';
import { ConflictError, GatewayError, NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ApiKey, ApiKeyCreate, ApiKeyListQuery, ApiKeyWithSecret } from '../../schemas/api-keys.js';
import type { Team } from '../../schemas/teams.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import type { Actor } from '../actor.js';
import { assertMaySetCacheNamespace } from '../cache/policy.js';
import { loadTeamItem } from '../teams/access.js';
import { isTeamItem, toTeam } from '../teams/mapper.js';
import { grantOf, statusOf, type TeamLists, toApiKey } from './mapper.js';
import { createSecret, type KeyGrantFields, RECORD_ENTITY, recordItem, secretItem } from './repository.js';

const NOT_FOUND = () => new NotFoundError('API key');

/** What a caller's own key grants. */
export const grantOfPrincipal = (principal: Principal): Grant => ({
  role: principal.role,
  providerIds: principal.providerIds,
  modelIds: principal.modelIds,
  expiresAt: principal.expiresAt,
  rateLimitRpm: principal.rateLimitRpm,
  rateLimitTpm: principal.rateLimitTpm,
  teamId: principal.teamId,
});

/**
 * Refuses a key wider than the caller's own (role by access classes, scope subset, an expiry no
 * later and a rate limit no higher than the caller's): 403 `key_exceeds_caller`, naming the fields
 * that exceed. This holds whatever the route's access class, so it stays true if non-admins are
 * ever allowed to mint keys.
 */
export function assertWithinCaller(requested: Grant, caller: Principal): void {
  const excess = grantExcess(requested, grantOfPrincipal(caller));
  if (excess.length === 0) return;
  throw new GatewayError(403, 'key_exceeds_caller', 'A key cannot grant more than the key that makes it.', {
    details: { fields: excess },
    refusal: { reason: 'key_exceeds_caller', fields: excess },
  });
}

/**
 * Refuses a key wider than its team: its own provider or model list must lie inside the team's
 * (an omitted list takes the team's). 403 `key_exceeds_team`, naming the team and the fields.
 */
function assertWithinTeam(body: ApiKeyCreate, team: Team): void {
  const fields: string[] = [];
  if (body.provider_ids && !listWithin(body.provider_ids, team.provider_ids)) fields.push('provider_ids');
  if (body.model_ids && !listWithin(body.model_ids, team.model_ids)) fields.push('model_ids');
  if (fields.length === 0) return;
  throw new GatewayError(403, 'key_exceeds_team', `A key cannot reach beyond its team "${team.name}".`, {
    details: { team_id: team.id, fields },
    refusal: { reason: 'key_exceeds_team', target: team.id, fields },
  });
}

/**
 * The global cache namespace is for unscoped keys, set by an unscoped admin (403 otherwise); a key
 * with a provider, model or team scope asking for it is a 422 (it would never be used).
 */
function assertGlobalCacheUnscoped(caller: Principal, grant: KeyGrantFields): void {
  assertMaySetCacheNamespace(caller, grant.cache);
  if (grant.cache?.namespace !== 'global') return;
  if (grant.providerIds || grant.modelIds || grant.teamId) {
    throw new ValidationError('The global cache namespace is for unscoped keys only.', {
      details: [
        {
          field: 'cache.namespace',
          message: 'a key with provider_ids, model_ids or team_id cannot share the global namespace',
        },
      ],
    });
  }
}

/** The scope lists of a stored team (absent team: none, so keys keep their own lists). */
export async function teamListsOf(deps: Gateway, teamId: unknown): Promise<TeamLists | undefined> {
  if (typeof teamId !== 'string') return undefined;
  const item = await deps.table.get(keys.team(teamId));
  return isTeamItem(item) ? toTeam(item) : undefined;
}

/** Every team's lists, by id: what a caller scoped to providers or models compares keys against. */
async function allTeamLists(deps: Gateway): Promise<Map<string, TeamLists>> {
  const items = await deps.table.queryAll({ index: 'gsi1', partition: keys.teamsPartition() });
  return new Map(items.filter(isTeamItem).map((item) => [String(item.id), toTeam(item)]));
}

/**
 * Reads a key record the caller may manage: one no wider than the caller's own key (a key of a
 * team compared with its lists as its team narrows them). Others, like unknown ids, are 404 (a
 * caller learns nothing about keys above it).
 */
export async function loadRecord(deps: Gateway, id: string, caller: Principal): Promise<Item> {
  const item = await deps.table.get(keys.apiKeyRecord(id));
  if (!item || item.entity !== RECORD_ENTITY) throw NOT_FOUND();
  if (!grantWithin(grantOf(item, await teamListsOf(deps, item.team_id)), grantOfPrincipal(caller))) {
    throw new NotFoundError('API key', { refusal: { reason: 'key_exceeds_caller', target: id } });
  }
  return item;
}

export function futureExpiry(expiresAt: string | null | undefined, nowMs: number): string | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  if (Date.parse(expiresAt) <= nowMs) {
    throw new ValidationError('The request body is invalid.', {
      details: [{ field: 'expires_at', message: 'must be in the future' }],
    });
  }
  return expiresAt;
}

/**
 * Creates a key and returns its secret, once. Only the HMAC of the secret is stored. The record is
 * written first, so anything that can authenticate is listed and revocable.
 *
 * A key of a team (`team_id`, set once here) lies within its team: its own lists inside the team's
 * (403 `key_exceeds_team` otherwise), and what it may reach is compared with the caller's as the
 * team narrows it. A team the caller cannot see is a 404.
 *
 * @throws 403 `key_exceeds_caller` for a key wider than the caller's; 422 for a past `expires_at`.
 */
export async function createApiKey(
  deps: Gateway,
  input: { body: ApiKeyCreate; caller: Principal; actor: Actor },
): Promise<ApiKeyWithSecret> {
  const { body } = input;
  // A team the caller cannot see is a 404, like a missing one.
  const team = body.team_id ? toTeam(await loadTeamItem(deps, body.team_id, input.caller)) : undefined;
  if (team) assertWithinTeam(body, team);
  const grant: KeyGrantFields = {
    keyId: newId('key', deps.now()),
    role: body.role,
    providerIds: body.provider_ids ?? null,
    modelIds: body.model_ids ?? null,
    expiresAt: futureExpiry(body.expires_at, deps.now()),
    rateLimitRpm: body.rate_limit_rpm ?? null,
    rateLimitTpm: body.rate_limit_tpm ?? null,
    teamId: team?.id ?? null,
    cache: body.cache ?? null,
    logPayloads: body.log_payloads ?? false,
  };
  assertGlobalCacheUnscoped(input.caller, grant);
  assertWithinCaller(
    {
      role: grant.role,
      providerIds: narrowList(body.provider_ids, team?.provider_ids),
      modelIds: narrowList(body.model_ids, team?.model_ids),
      expiresAt: grant.expiresAt ?? undefined,
      rateLimitRpm: grant.rateLimitRpm ?? undefined,
      rateLimitTpm: grant.rateLimitTpm ?? undefined,
      teamId: team?.id,
    },
    input.caller,
  );
  const secret = newApiKeySecret();
  const hash = hashApiKey(await deps.apiKeyPepper(), secret);
  const now = new Date(deps.now()).toISOString();
  const record = recordItem({
    grant,
    name: body.name,
    hint: keyHint(secret),
    hash,
    createdBy: input.caller.keyId,
    now,
    actor: input.actor,
  });
  await deps.table.create(record, () => new ConflictError('API key id collision; retry.'));
  try {
    await createSecret(deps.table, secretItem({ hash, grant, now, actor: input.actor }));
  } catch (error) {
    await deps.table.delete(keys.apiKeyRecord(grant.keyId)).catch(() => false);
    throw error;
  }
  return { ...toApiKey(record, deps.now()), key: secret };
}

/** One key's metadata (never its secret), if the caller may manage it. */
export async function getApiKey(deps: Gateway, id: string, caller: Principal): Promise<ApiKey> {
  return toApiKey(await loadRecord(deps, id, caller), deps.now());
}

/** A page of keys in creation order, filtered by role, status and team, limited to what the caller may manage. */
export async function listApiKeys(deps: Gateway, filter: ApiKeyListQuery, caller: Principal) {
  const nowMs = deps.now();
  const callerGrant = grantOfPrincipal(caller);
  // Only a caller with scope lists compares them with keys' (as their teams narrow them).
  const teams =
    caller.providerIds || caller.modelIds ? await allTeamLists(deps) : new Map<string, TeamLists>();
  const page = await deps.table.queryPage({
    index: 'gsi2',
    partition: keys.apiKeysPartition(),
    limit: filter.limit,
    cursor: filter.cursor,
    filter: (item) =>
      item.entity === RECORD_ENTITY &&
      grantWithin(grantOf(item, teams.get(String(item.team_id))), callerGrant) &&
      (!filter.role || item.role === filter.role) &&
      (!filter.status || statusOf(item, nowMs) === filter.status) &&
      (!filter.team_id || item.team_id === filter.team_id),
  });
  return {
    data: page.items.map((item) => toApiKey(item, nowMs)),
    next_cursor: page.nextCursor,
    has_more: page.nextCursor !== null,
  };
}

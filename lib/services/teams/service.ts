import { stampForDelete } from '../../audit/stamp.js';
import type { Principal } from '../../auth/roles.js';
import { forgetTeamScopes } from '../../auth/team-principal.js';
import { ConflictError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Team, TeamCreate, TeamPatch } from '../../schemas/teams.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type Actor, actorAttributes } from '../actor.js';
import { revokeApiKey } from '../api-keys/lifecycle.js';
import { statusOf } from '../api-keys/mapper.js';
import { RECORD_ENTITY } from '../api-keys/repository.js';
import { loadRecord } from '../api-keys/service.js';
import { claimUniqueName, type NameClaimKind, releaseUniqueName, withRename } from '../name-claims.js';
import { assertMayShapeTeam, canSeeTeam, loadTeamItem } from './access.js';
import { isTeamItem, toTeam } from './mapper.js';

/** Team names: unique, case-insensitive, one claim item per name. */
const TEAM_NAMES: NameClaimKind = {
  what: 'team',
  entity: 'team_name',
  claimKey: keys.teamName,
  ownerKey: keys.team,
  ownerAttribute: 'team_id',
};

/**
 * Creates a team with a unique name (409 `name_taken`, also under concurrency). A key scoped to
 * providers or models may only create teams inside its scope; a key of a team creates none.
 */
export async function createTeam(
  deps: Gateway,
  input: { team: TeamCreate; principal: Principal; actor: Actor },
): Promise<Team> {
  const t = input.team;
  const scope = { provider_ids: t.provider_ids ?? null, model_ids: t.model_ids ?? null };
  assertMayShapeTeam(input.principal, scope);
  const nowMs = deps.now();
  const id = newId('team', nowMs);
  const now = new Date(nowMs).toISOString();
  await claimUniqueName(deps.table, TEAM_NAMES, { name: t.name, id });
  const item: Item = {
    ...keys.team(id),
    ...keys.teamIndex(now, id),
    entity: 'team',
    id,
    name: t.name,
    ...scope,
    rate_limit_rpm: t.rate_limit_rpm ?? null,
    rate_limit_tpm: t.rate_limit_tpm ?? null,
    metadata: t.metadata ?? {},
    version: 1,
    created_at: now,
    updated_at: now,
    ...actorAttributes(input.actor),
  };
  try {
    await deps.table.create(item, () => new ConflictError('Team id collision; retry.'));
  } catch (error) {
    await releaseUniqueName(deps.table, TEAM_NAMES, { name: t.name, id });
    throw error;
  }
  return toTeam(item);
}

/** One team, if the principal may see it (else 404). */
export async function getTeam(deps: Gateway, id: string, principal: Principal): Promise<Team> {
  return toTeam(await loadTeamItem(deps, id, principal));
}

/** A page of teams in creation order, limited to those the principal may see. */
export async function listTeams(
  deps: Gateway,
  filter: { limit: number; cursor?: string | undefined },
  principal: Principal,
) {
  const page = await deps.table.queryPage({
    index: 'gsi1',
    partition: keys.teamsPartition(),
    limit: filter.limit,
    cursor: filter.cursor,
    filter: (item) => isTeamItem(item) && canSeeTeam(principal, toTeam(item)),
  });
  return { data: page.items.map(toTeam), next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
}

/**
 * Applies a PATCH under optimistic concurrency (409 `version_conflict` on a stale `version`); a
 * rename claims the new name first. A scope change applies to the team's keys as their principals
 * are next resolved (within `AUTH_CACHE_TTL_SECONDS`): keys narrower than the team stay narrower.
 */
export async function updateTeam(
  deps: Gateway,
  input: { id: string; patch: TeamPatch; principal: Principal; actor: Actor },
): Promise<Team> {
  const current = await loadTeamItem(deps, input.id, input.principal);
  const { version, name, ...rest } = input.patch;
  const next = { ...toTeam(current), ...rest };
  assertMayShapeTeam(input.principal, next, input.id);
  const renamed = name !== undefined && name !== current.name;
  const updated = await withRename(
    deps.table,
    TEAM_NAMES,
    { id: input.id, from: String(current.name), to: name },
    () =>
      deps.table.updateVersioned({
        key: keys.team(input.id),
        expectedVersion: version ?? Number(current.version),
        changes: {
          ...rest,
          ...(renamed ? { name } : {}),
          updated_at: new Date(deps.now()).toISOString(),
          ...actorAttributes(input.actor),
        },
        what: 'Team',
      }),
  );
  forgetTeamScopes(deps);
  return toTeam(updated);
}

/** The records of a team's keys that can still authenticate (neither revoked nor expired). */
async function activeKeysOf(deps: Gateway, teamId: string): Promise<Item[]> {
  const records = await deps.table.queryAll({ index: 'gsi1', partition: keys.teamKeysPartition(teamId) });
  const nowMs = deps.now();
  return records.filter((r) => r.entity === RECORD_ENTITY && statusOf(r, nowMs) === 'active');
}

/**
 * Deletes a team. While it has active keys the answer is 409 `team_has_keys`, unless `revokeKeys`:
 * then every one of them is revoked first (all or none: a key wider than the caller refuses the
 * whole delete, as revoking it alone would). Quotas of the team stay, inert, until deleted.
 */
export async function deleteTeam(
  deps: Gateway,
  input: { id: string; revokeKeys: boolean; principal: Principal; actor: Actor },
): Promise<void> {
  const current = await loadTeamItem(deps, input.id, input.principal);
  assertMayShapeTeam(input.principal, toTeam(current), input.id);
  const active = await activeKeysOf(deps, input.id);
  if (active.length > 0 && !input.revokeKeys) {
    throw new ConflictError('The team still has active keys; revoke them or delete with revoke_keys=true.', {
      code: 'team_has_keys',
      details: { active_keys: active.length },
    });
  }
  // Every key must be one the caller may revoke before any is.
  for (const record of active) await loadRecord(deps, String(record.id), input.principal);
  for (const record of active) {
    await revokeApiKey(deps, { id: String(record.id), caller: input.principal, actor: input.actor });
  }
  await stampForDelete(deps.table, keys.team(input.id), input.actor);
  await deps.table.delete(keys.team(input.id), { expectedVersion: Number(current.version) });
  await releaseUniqueName(deps.table, TEAM_NAMES, { name: String(current.name), id: input.id });
  forgetTeamScopes(deps);
}

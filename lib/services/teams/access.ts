import type { Principal } from '../../auth/roles.js';
import { isScoped, listWithin } from '../../auth/scope.js';
import { NotFoundError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Team } from '../../schemas/teams.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { outOfScope, scopedKeyRefused } from '../actor.js';
import { isTeamItem, toTeam } from './mapper.js';

type TeamScope = Pick<Team, 'id' | 'provider_ids' | 'model_ids'>;

/**
 * Whether a principal may see a team: a key of a team sees its own team only; a key scoped to
 * providers or models sees the teams that lie inside its scope (whose keys can reach nothing
 * beyond it); an unscoped key sees every team.
 */
export function canSeeTeam(principal: Principal | undefined, team: TeamScope): boolean {
  if (principal?.teamId) return team.id === principal.teamId;
  return (
    listWithin(team.provider_ids, principal?.providerIds) && listWithin(team.model_ids, principal?.modelIds)
  );
}

/**
 * Refuses a team write that would reach beyond the caller: a key of a team changes no team (its
 * own included: it could widen itself), and a key scoped to providers or models may only make a
 * team whose scope stays inside its own (403 `scoped_key`, audited).
 */
export function assertMayShapeTeam(
  principal: Principal,
  next: Pick<Team, 'provider_ids' | 'model_ids'>,
  target?: string,
): void {
  if (principal.teamId) throw scopedKeyRefused('A key of a team cannot create or change teams.', target);
  if (!isScoped(principal)) return;
  if (
    !listWithin(next.provider_ids, principal.providerIds) ||
    !listWithin(next.model_ids, principal.modelIds)
  ) {
    throw scopedKeyRefused('A scoped key can only shape teams inside its own scope.', target);
  }
}

/**
 * Reads a stored team the principal may see, or throws 404 (a team outside the caller's scope
 * reads exactly like a missing one).
 */
export async function loadTeamItem(deps: Gateway, id: string, principal?: Principal): Promise<Item> {
  const item = await deps.table.get(keys.team(id));
  if (!isTeamItem(item)) throw new NotFoundError('Team');
  if (!canSeeTeam(principal, toTeam(item))) throw outOfScope('Team', id);
  return item;
}

import { cached, forgetCached } from '../runtime/cache.js';
import type { Gateway } from '../runtime/gateway.js';
import { keys } from '../store/keys.js';
import type { Principal } from './roles.js';
import { narrowList } from './scope.js';

/** What a key's team adds to its principal. */
interface TeamScope {
  providerIds: string[] | null;
  modelIds: string[] | null;
  rpm: number | null;
  tpm: number | null;
}

const CACHE_PREFIX = 'team-scope:';

const list = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
const positive = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;

async function readTeam(deps: Pick<Gateway, 'table'>, teamId: string): Promise<TeamScope | null> {
  const item = await deps.table.get(keys.team(teamId));
  if (item?.entity !== 'team') return null;
  return {
    providerIds: list(item.provider_ids),
    modelIds: list(item.model_ids),
    rpm: positive(item.rate_limit_rpm),
    tpm: positive(item.rate_limit_tpm),
  };
}

/**
 * A key's principal within its team: provider and model lists narrowed to the team's (the key's
 * own list inside the team's, see `narrowList`), and the team's rate limits attached. The team is
 * read with one GetItem, cached per instance for `AUTH_CACHE_TTL_SECONDS` (0 locally: every
 * time), so a change of a team reaches its keys as fast as a revocation does.
 *
 * @returns the principal unchanged for a key without a team; `null` when the key's team no longer
 *   exists (a key created while its team was being deleted): such a key fails closed.
 */
export async function withTeam(
  deps: Pick<Gateway, 'table' | 'state' | 'now' | 'config'>,
  principal: Principal,
): Promise<Principal | null> {
  const { teamId } = principal;
  if (!teamId) return principal;
  const ttlMs = deps.config.AUTH_CACHE_TTL_SECONDS * 1000;
  const team = await cached(deps, `${CACHE_PREFIX}${teamId}`, ttlMs, () => readTeam(deps, teamId));
  if (!team) return null;
  const providerIds = narrowList(principal.providerIds, team.providerIds);
  const modelIds = narrowList(principal.modelIds, team.modelIds);
  const { providerIds: _p, modelIds: _m, ...rest } = principal;
  return {
    ...rest,
    ...(providerIds ? { providerIds } : {}),
    ...(modelIds ? { modelIds } : {}),
    ...(team.rpm === null ? {} : { teamRateLimitRpm: team.rpm }),
    ...(team.tpm === null ? {} : { teamRateLimitTpm: team.tpm }),
  };
}

/** Forgets this instance's cached team scopes (a team changed here). */
export function forgetTeamScopes(deps: Pick<Gateway, 'state'>): void {
  forgetCached(deps, CACHE_PREFIX);
}

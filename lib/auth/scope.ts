/**
 * Scopes as ownership. A key scoped to some providers or models, or belonging to a team, is a
 * tenant: what it creates
 * (catalog models, routing rules, quotas) is stamped with its scope as `owner_scope`, and an owned
 * object only acts on requests of keys whose own scope lies inside the owner's. So nothing a scoped
 * key creates or changes alters which upstream serves, or what limits, a key outside its scope.
 *
 * - An unowned object (`owner_scope: null`, made by an unscoped key) acts on every caller.
 * - A scoped key may change or delete only objects owned by a scope inside its own; unowned
 *   objects, and providers (always shared), are managed by unscoped keys.
 * - A team is a third dimension: a key of a team has its provider and model lists narrowed to the
 *   team's (see {@link narrowList}), and what it creates is owned by the team too (`team_id`), so
 *   it acts only on keys of that team.
 */
import type { Principal } from './roles.js';

/** The stored owner of an object: the scope of the key that created it; `null` is unowned. */
export interface OwnerScope {
  provider_ids: string[] | null;
  model_ids: string[] | null;
  /** Set when a key of a team created the object: it then acts only on keys of that team. */
  team_id?: string;
}

type ScopeLists = {
  providerIds?: readonly string[] | undefined;
  modelIds?: readonly string[] | undefined;
  teamId?: string | undefined;
};

/** Whether a principal is scoped (to providers, models, a team, or several). */
export function isScoped(principal: ScopeLists | undefined): boolean {
  return Boolean(principal?.providerIds || principal?.modelIds || principal?.teamId);
}

/** The owner scope an object created by `principal` gets (`null` for an unscoped creator). */
export function ownerScopeOf(principal: ScopeLists | undefined): OwnerScope | null {
  if (!principal || !isScoped(principal)) return null;
  return {
    provider_ids: principal.providerIds ? [...principal.providerIds] : null,
    model_ids: principal.modelIds ? [...principal.modelIds] : null,
    ...(principal.teamId ? { team_id: principal.teamId } : {}),
  };
}

/**
 * A key's effective scope list in one dimension: its own list within its team's. Absent lists mean
 * "all", so an unscoped key of a scoped team gets the team's list; a key narrower than its team
 * keeps its own; and if the team was narrowed after the key was made, what remains of the key's
 * list inside the team's (possibly nothing: an empty list sees nothing).
 */
export function narrowList(
  own: readonly string[] | null | undefined,
  team: readonly string[] | null | undefined,
): string[] | undefined {
  if (!team) return own ? [...own] : undefined;
  if (!own) return [...team];
  return own.filter((id) => team.includes(id));
}

/** A team scope holds `inner` when there is none, or when `inner` is the same team. */
export function teamWithin(inner: string | null | undefined, outer: string | null | undefined): boolean {
  return !outer || inner === outer;
}

/** `inner ⊆ outer` for scope lists, where an absent list means "all". */
export function listWithin(
  inner: readonly string[] | null | undefined,
  outer: readonly string[] | null | undefined,
) {
  if (!outer) return true;
  if (!inner) return false;
  return inner.every((id) => outer.includes(id));
}

/**
 * Whether an object owned by `owner` acts on a request of `caller`: unowned objects act on every
 * caller; an owned one only on callers whose scope lies inside the owner's in both dimensions.
 */
export function actsOn(owner: OwnerScope | null | undefined, caller: ScopeLists | undefined): boolean {
  if (!owner) return true;
  return (
    listWithin(caller?.providerIds, owner.provider_ids) &&
    listWithin(caller?.modelIds, owner.model_ids) &&
    teamWithin(caller?.teamId, owner.team_id)
  );
}

/**
 * Whether `principal` may change or delete an object owned by `owner`: unscoped keys may change
 * anything; a scoped key only objects owned by a scope inside its own (so every caller the object
 * acts on is inside the key's scope too).
 */
export function mayManage(principal: Principal | undefined, owner: OwnerScope | null | undefined): boolean {
  if (!isScoped(principal)) return true;
  if (!owner) return false;
  return (
    listWithin(owner.provider_ids, principal?.providerIds) &&
    listWithin(owner.model_ids, principal?.modelIds) &&
    teamWithin(owner.team_id, principal?.teamId)
  );
}

/**
 * Reads a stored `owner_scope` attribute. Absent or `null` is unowned; anything else that is not a
 * well-formed scope fails closed: owned by an empty scope, so it acts on no caller and only
 * unscoped keys may change it.
 */
export function readOwnerScope(value: unknown): OwnerScope | null {
  if (value === undefined || value === null) return null;
  const raw = (typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const list = (v: unknown) =>
    v === null || v === undefined
      ? null
      : Array.isArray(v) && v.every((id) => typeof id === 'string')
        ? (v as string[])
        : [];
  const owner: OwnerScope = { provider_ids: list(raw.provider_ids), model_ids: list(raw.model_ids) };
  if (raw.team_id !== undefined && raw.team_id !== null) {
    // A team owner that is not a string fails closed like a malformed list.
    if (typeof raw.team_id !== 'string') return { provider_ids: [], model_ids: [] };
    owner.team_id = raw.team_id;
  }
  return owner.provider_ids || owner.model_ids || owner.team_id ? owner : { provider_ids: [], model_ids: [] };
}

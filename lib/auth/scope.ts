/**
 * Scopes as ownership. A key scoped to some providers or models is a tenant: what it creates
 * (catalog models, routing rules, quotas) is stamped with its scope as `owner_scope`, and an owned
 * object only acts on requests of keys whose own scope lies inside the owner's. So nothing a scoped
 * key creates or changes alters which upstream serves, or what limits, a key outside its scope.
 *
 * - An unowned object (`owner_scope: null`, made by an unscoped key) acts on every caller.
 * - A scoped key may change or delete only objects owned by a scope inside its own; unowned
 *   objects, and providers (always shared), are managed by unscoped keys.
 */
import type { Principal } from './roles.js';

/** The stored owner of an object: the scope of the key that created it; `null` is unowned. */
export interface OwnerScope {
  provider_ids: string[] | null;
  model_ids: string[] | null;
}

type ScopeLists = { providerIds?: readonly string[] | undefined; modelIds?: readonly string[] | undefined };

/** Whether a principal is scoped (to providers, models or both). */
export function isScoped(principal: ScopeLists | undefined): boolean {
  return Boolean(principal?.providerIds || principal?.modelIds);
}

/** The owner scope an object created by `principal` gets (`null` for an unscoped creator). */
export function ownerScopeOf(principal: ScopeLists | undefined): OwnerScope | null {
  if (!principal || !isScoped(principal)) return null;
  return {
    provider_ids: principal.providerIds ? [...principal.providerIds] : null,
    model_ids: principal.modelIds ? [...principal.modelIds] : null,
  };
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
  return listWithin(caller?.providerIds, owner.provider_ids) && listWithin(caller?.modelIds, owner.model_ids);
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
    listWithin(owner.provider_ids, principal?.providerIds) && listWithin(owner.model_ids, principal?.modelIds)
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
  const owner = { provider_ids: list(raw.provider_ids), model_ids: list(raw.model_ids) };
  return owner.provider_ids || owner.model_ids ? owner : { provider_ids: [], model_ids: [] };
}

import { stampForDelete } from '../../audit/stamp.js';
import type { Principal } from '../../auth/roles.js';
import { ownerScopeOf, readOwnerScope } from '../../auth/scope.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../ids.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota, QuotaCreate, QuotaPatch } from '../../schemas/quotas.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import {
  type Actor,
  actorAttributes,
  assertMayManage,
  canSeeModel,
  canSeeProvider,
  outOfScope,
  scopedKeyRefused,
} from '../actor.js';
import { loadProviderItem } from '../providers/service.js';
import { loadTeamItem } from '../teams/access.js';
import { forgetQuotaCaches } from './definitions.js';
import { evaluateQuota } from './evaluate.js';
import { isQuotaItem, toQuota } from './mapper.js';
import { currentWindow, scopeKeyOf } from './model.js';
import { keepQuotaReplicas, replicateQuota, retireQuota } from './replicas.js';

const NOT_FOUND = () => new NotFoundError('Quota');

/**
 * A principal scoped to some providers sees only quotas of those providers; one scoped to some
 * models only quotas of those models. A key of a team sees its team's quotas (the team's budget is
 * every member's), and otherwise only quotas its team created, under the rules above.
 */
function canSeeQuota(principal: Principal | undefined, item: Record<string, unknown>): boolean {
  if (principal?.teamId) {
    if (item.team_id === principal.teamId) return true;
    if (readOwnerScope(item.owner_scope)?.team_id !== principal.teamId) return false;
  }
  if (principal?.providerIds) {
    if (typeof item.provider_id !== 'string' || !canSeeProvider(principal, item.provider_id)) return false;
  }
  if (principal?.modelIds) {
    return typeof item.model_id === 'string' && canSeeModel(principal, item.model_id);
  }
  return true;
}

/** Reads a stored quota the principal may see, or throws 404. */
export async function loadQuotaItem(deps: Gateway, id: string, principal?: Principal): Promise<Item> {
  const item = await deps.table.get(keys.quota(id));
  if (!item || !isQuotaItem(item)) throw NOT_FOUND();
  if (!canSeeQuota(principal, item)) throw outOfScope('Quota', id);
  return item;
}

/** Reads a quota the principal may change: visible, and owned by a scope inside its own. */
async function loadManagedQuota(deps: Gateway, id: string, principal: Principal): Promise<Item> {
  const item = await loadQuotaItem(deps, id, principal);
  assertMayManage(principal, item.owner_scope, 'quota', id);
  return item;
}

/** Re-evaluates a quota's current window after a change; a failure only delays the state. */
async function refreshState(deps: Gateway, quota: Quota): Promise<void> {
  forgetQuotaCaches(deps);
  if (!quota.is_active) return;
  try {
    const window = await currentWindow(quota, deps.now());
    await evaluateQuota(deps, { quota, window, cause: 'quota-change' });
  } catch (error) {
    logger.warn('quota state not refreshed after a change', {
      quota_id: quota.id,
      error: describeError(error),
    });
  }
}

/**
 * Creates a quota. Its current window is evaluated at once, so usage already recorded counts.
 * A principal scoped to some providers may only create quotas of a provider it can see; a team
 * quota needs a team the principal can see (404 otherwise); a key of a team may only set quotas
 * of its own team (any other would show or limit usage beyond it).
 */
export async function createQuota(
  deps: Gateway,
  input: { quota: QuotaCreate; principal: Principal; actor: Actor },
): Promise<Quota> {
  const q = input.quota;
  if (q.team_id) await loadTeamItem(deps, q.team_id, input.principal);
  if (input.principal.teamId && q.team_id !== input.principal.teamId) {
    throw scopedKeyRefused('A key of a team can only set quotas of its team.');
  }
  if (q.provider_id) await loadProviderItem(deps, q.provider_id, input.principal);
  else if (input.principal.providerIds)
    throw scopedKeyRefused('A provider-scoped key can only set quotas of its providers.');
  if (input.principal.modelIds) {
    if (!q.model_id) throw scopedKeyRefused('A model-scoped key can only set quotas of its models.');
    if (!canSeeModel(input.principal, q.model_id)) throw outOfScope('Model', q.model_id);
  }
  const nowMs = deps.now();
  const now = new Date(nowMs).toISOString();
  const id = newId('quota', nowMs);
  const scopeKey = scopeKeyOf({
    scope: q.scope,
    provider_id: q.provider_id ?? null,
    model_id: q.model_id ?? null,
    api_key_id: q.api_key_id ?? null,
    team_id: q.team_id ?? null,
  });
  const item: Item = {
    ...keys.quota(id),
    ...keys.quotaScopeIndex(scopeKey, id),
    ...keys.quotaListIndex(now, id),
    entity: 'quota',
    id,
    provider_id: q.provider_id ?? null,
    quota_type: q.quota_type,
    limit_value: q.limit_value,
    soft_limit_percent: q.soft_limit_percent,
    action_on_exceed: q.action_on_exceed,
    scope: q.scope,
    scope_key: scopeKey,
    model_id: q.model_id ?? null,
    api_key_id: q.api_key_id ?? null,
    enforcement: q.enforcement,
    is_active: q.is_active,
    team_id: q.team_id ?? null,
    time_zone: q.time_zone,
    thresholds_percent: q.thresholds_percent,
    owner_scope: ownerScopeOf(input.principal),
    version: 1,
    created_at: now,
    updated_at: now,
    ...actorAttributes(input.actor),
  };
  await keepQuotaReplicas(deps);
  await deps.table.create(item, () => new ConflictError('A quota with this id exists.'));
  await replicateQuota(deps, item);
  const quota = toQuota(item);
  await refreshState(deps, quota);
  return quota;
}

/** One quota. */
export async function getQuota(deps: Gateway, id: string, principal: Principal): Promise<Quota> {
  return toQuota(await loadQuotaItem(deps, id, principal));
}

/** Query of `GET /api/quotas` (validated). */
export interface QuotaFilter {
  limit: number;
  cursor?: string | undefined;
  provider_id?: string | undefined;
  scope?: string | undefined;
  quota_type?: string | undefined;
  team_id?: string | undefined;
}

/** A page of quotas in creation order, filtered and scoped to what the principal may see. */
export async function listQuotas(deps: Gateway, filter: QuotaFilter, principal: Principal) {
  const page = await deps.table.queryPage({
    index: 'gsi2',
    partition: keys.quotasPartition(),
    limit: filter.limit,
    cursor: filter.cursor,
    filter: (item) =>
      isQuotaItem(item) &&
      canSeeQuota(principal, item) &&
      (!filter.provider_id || item.provider_id === filter.provider_id) &&
      (!filter.scope || item.scope === filter.scope) &&
      (!filter.quota_type || item.quota_type === filter.quota_type) &&
      (!filter.team_id || item.team_id === filter.team_id),
  });
  return { data: page.items.map(toQuota), next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
}

/** Applies a PATCH under optimistic concurrency, then re-evaluates the current window. */
export async function updateQuota(
  deps: Gateway,
  input: { id: string; patch: QuotaPatch; principal: Principal; actor: Actor },
): Promise<Quota> {
  const current = await loadManagedQuota(deps, input.id, input.principal);
  const { version, ...changes } = input.patch;
  const next = toQuota({ ...current, ...changes });
  if (next.quota_type.endsWith('_cost') === false && !Number.isInteger(next.limit_value)) {
    throw new ValidationError('Token and request limits are integers.', {
      details: [{ field: 'limit_value', message: 'token and request limits are integers' }],
    });
  }
  const updated = await deps.table.updateVersioned({
    key: keys.quota(input.id),
    expectedVersion: version ?? Number(current.version),
    changes: { ...changes, updated_at: new Date(deps.now()).toISOString(), ...actorAttributes(input.actor) },
    what: 'Quota',
  });
  await keepQuotaReplicas(deps);
  await replicateQuota(deps, updated);
  const quota = toQuota(updated);
  await refreshState(deps, quota);
  return quota;
}

/**
 * Deletes a quota, retires its read replicas' copies, then deletes its window states and budgets
 * (best effort: they also expire, as do the states' copies).
 */
export async function deleteQuota(
  deps: Gateway,
  input: { id: string; principal: Principal; actor: Actor },
): Promise<void> {
  const item = await loadManagedQuota(deps, input.id, input.principal);
  await stampForDelete(deps.table, keys.quota(input.id), input.actor);
  await deps.table.delete(keys.quota(input.id));
  // After the quota: a delete that stops between the two leaves copies that still enforce it
  // (the safe side) until the next reconciliation retires them.
  await keepQuotaReplicas(deps);
  await retireQuota(deps, input.id, Number(item.version));
  forgetQuotaCaches(deps);
  const children = await deps.table.queryAll({ partition: keys.quota(input.id).pk });
  await Promise.all(children.map((child) => deps.table.delete({ pk: child.pk, sk: child.sk })));
}

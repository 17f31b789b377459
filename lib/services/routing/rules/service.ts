import { stampForDelete } from '../../../audit/stamp.js';
import { allows, type Principal } from '../../../auth/roles.js';
import { ownerScopeOf } from '../../../auth/scope.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import type { Gateway } from '../../../runtime/gateway.js';
import type { Rule, RuleCreate, RuleListQuery, RulePatch, RuleTarget } from '../../../schemas/routing.js';
import { keys } from '../../../store/keys.js';
import type { Item } from '../../../store/table.js';
import { type Actor, actorAttributes, assertMayManage, outOfScope } from '../../actor.js';
import { assertMaySetCacheNamespace } from '../../cache/policy.js';
import { canSeeRule, normalizeTargets, providerIdsOf, storedPolicy, toRule } from './mapper.js';
import { addRefs, removeRefs, undoAddedRefs } from './refs.js';
import { validateRuleShape } from './validate.js';

const NOT_FOUND = () => new NotFoundError('Routing rule');

/**
 * Payload logging reads other callers' prompts into the log: only a key of the `secrets` class (an
 * admin, who may read them anyway) may switch it on for a rule, or change a rule that has it (an
 * operator could otherwise widen its pattern to capture more). Switching it off is anyone's.
 */
function assertMaySetPayloadLogging(principal: Principal, before: boolean, after: boolean | undefined): void {
  if ((before || after === true) && !allows('secrets', principal.role)) {
    throw new ForbiddenError(
      'Only an admin may set payload logging on a routing rule or change such a rule.',
      {
        code: 'payload_logging_admin_only',
        refusal: { reason: 'role' },
      },
    );
  }
}

/** Reads a stored rule the principal may see, or throws 404. */
async function loadRuleItem(deps: Gateway, id: string, principal: Principal): Promise<Item> {
  const item = await deps.table.get(keys.routingRule(id));
  if (!item) throw NOT_FOUND();
  if (!canSeeRule(principal, toRule(item))) throw outOfScope('Routing rule', id);
  return item;
}

/** Reads a rule the principal may change: visible, and owned by a scope inside its own. */
async function loadManagedRule(deps: Gateway, id: string, principal: Principal): Promise<Item> {
  const item = await loadRuleItem(deps, id, principal);
  assertMayManage(principal, item.owner_scope, 'routing rule', id);
  return item;
}

/**
 * Creates a routing rule. Providers and models it names must exist (422 otherwise); a reference item
 * per provider is written first, so a provider in use cannot be deleted (see `refs.ts`). Rule names
 * are labels, not unique: the id is the identity. A rule created by a scoped key is owned by its
 * scope: it routes only requests of keys inside that scope.
 */
export async function createRule(
  deps: Gateway,
  input: { rule: RuleCreate; principal: Principal; actor: Actor },
): Promise<Rule> {
  const { rule } = input;
  assertMaySetPayloadLogging(input.principal, false, rule.log_payloads);
  const targets = normalizeTargets(rule);
  assertMaySetCacheNamespace(input.principal, rule.cache);
  await validateRuleShape(deps, { ...rule, targets }, input.principal);
  const id = newId('rule', deps.now());
  const now = new Date(deps.now()).toISOString();
  const item: Item = {
    ...keys.routingRule(id),
    ...keys.routingRuleIndex(now, id),
    entity: 'routing_rule',
    id,
    rule_name: rule.rule_name,
    rule_type: rule.rule_type,
    service_type: rule.service_type,
    model_pattern: rule.model_pattern,
    targets,
    fallback_enabled: rule.fallback_enabled ?? true,
    retry_policy: storedPolicy(rule.retry_policy),
    priority: rule.priority ?? 100,
    is_active: rule.is_active ?? true,
    cache: rule.cache ?? null,
    log_payloads: rule.log_payloads ?? false,
    owner_scope: ownerScopeOf(input.principal),
    version: 1,
    created_at: now,
    updated_at: now,
    ...actorAttributes(input.actor),
  };
  const providerIds = providerIdsOf(targets);
  await addRefs(deps, { ruleId: id, providerIds, ruleVersion: 1 });
  try {
    await deps.table.create(item, () => new ConflictError('Routing rule id collision; retry.'));
  } catch (error) {
    await removeRefs(deps, { ruleId: id, providerIds, upToVersion: null });
    throw error;
  }
  return toRule(item);
}

/** One rule, if the principal may see it. */
export async function getRule(deps: Gateway, id: string, principal: Principal): Promise<Rule> {
  return toRule(await loadRuleItem(deps, id, principal));
}

/** A page of rules in creation order, filtered in code, limited to what the principal may see. */
export async function listRules(deps: Gateway, filter: RuleListQuery, principal: Principal) {
  const active = filter.is_active === undefined ? undefined : filter.is_active === 'true';
  const page = await deps.table.queryPage({
    index: 'gsi1',
    partition: keys.routingRulesPartition(),
    limit: filter.limit,
    cursor: filter.cursor,
    filter: (item) => {
      const rule = toRule(item);
      return (
        canSeeRule(principal, rule) &&
        (!filter.service_type || rule.service_type === filter.service_type) &&
        (!filter.rule_type || rule.rule_type === filter.rule_type) &&
        (active === undefined || rule.is_active === active)
      );
    },
  });
  return { data: page.items.map(toRule), next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
}

function staleVersion(current: Item): ConflictError {
  return new ConflictError('The routing rule was changed by another request; read it again.', {
    code: 'version_conflict',
    details: { current_version: current.version },
  });
}

/**
 * Applies a PATCH under optimistic concurrency (`version`, or the version just read). The merged
 * rule is validated as a whole; references to newly named providers are written before the rule,
 * references to providers it no longer names are removed after.
 */
export async function updateRule(
  deps: Gateway,
  input: { id: string; patch: RulePatch; principal: Principal; actor: Actor },
): Promise<Rule> {
  const current = await loadManagedRule(deps, input.id, input.principal);
  assertMaySetCacheNamespace(input.principal, input.patch.cache, input.id);
  const before = toRule(current);
  // Switching it off is allowed to anyone who may manage the rule; anything else on such a rule is not.
  const onlyOff =
    input.patch.log_payloads === false &&
    Object.keys(input.patch).every((k) => k === 'log_payloads' || k === 'version');
  if (!onlyOff) assertMaySetPayloadLogging(input.principal, before.log_payloads, input.patch.log_payloads);
  const { version, provider_ids, targets: rawTargets, retry_policy, ...rest } = input.patch;
  const expectedVersion = version ?? before.version;
  if (expectedVersion !== before.version) throw staleVersion(current);
  const targets: RuleTarget[] =
    provider_ids || rawTargets ? normalizeTargets({ provider_ids, targets: rawTargets }) : before.targets;
  const merged = { ...before, ...rest, targets };
  await validateRuleShape(deps, merged, input.principal);
  const oldIds = new Set(before.provider_ids);
  const newIds = providerIdsOf(targets);
  const added = newIds.filter((id) => !oldIds.has(id));
  const dropped = before.provider_ids.filter((id) => !newIds.includes(id));
  const nextVersion = expectedVersion + 1;
  await addRefs(deps, { ruleId: input.id, providerIds: added, ruleVersion: nextVersion });
  const changes: Record<string, unknown> = {
    ...rest,
    targets,
    updated_at: new Date(deps.now()).toISOString(),
  };
  if (retry_policy) changes.retry_policy = storedPolicy(retry_policy);
  let updated: Item;
  try {
    updated = await deps.table.updateVersioned({
      key: keys.routingRule(input.id),
      expectedVersion,
      changes: { ...changes, ...actorAttributes(input.actor) },
      what: 'Routing rule',
    });
  } catch (error) {
    await undoAddedRefs(deps, { ruleId: input.id, added, attemptedVersion: nextVersion });
    throw error;
  }
  await removeRefs(deps, { ruleId: input.id, providerIds: dropped, upToVersion: nextVersion });
  return toRule(updated);
}

/**
 * Deletes a rule (with `version`: only if unchanged, 409 otherwise), then its references and its
 * round-robin counter.
 */
export async function deleteRule(
  deps: Gateway,
  input: { id: string; version?: number | undefined; principal: Principal; actor: Actor },
): Promise<void> {
  const current = await loadManagedRule(deps, input.id, input.principal);
  const expectedVersion = input.version ?? Number(current.version);
  if (expectedVersion !== Number(current.version)) throw staleVersion(current);
  await stampForDelete(deps.table, keys.routingRule(input.id), input.actor);
  await deps.table.delete(keys.routingRule(input.id), { expectedVersion });
  await removeRefs(deps, { ruleId: input.id, providerIds: toRule(current).provider_ids, upToVersion: null });
  await deps.table.delete(keys.routingCounter(input.id));
}

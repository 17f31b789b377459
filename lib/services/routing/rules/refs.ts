/**
 * `RULE_REF` items: one per (provider, rule) under the provider's partition, so that deleting a
 * provider a rule still uses is refused (409). There are no transactions, so the order of the
 * single-item writes carries the guarantee:
 *
 * 1. the reference is written first, then the provider's `version` is bumped with the condition
 *    that the provider still exists: a provider delete that read the old version (and no reference)
 *    now fails its own version check, and a provider already gone fails the bump (the rule is refused);
 * 2. the rule is written last; if that fails, references it added are removed again.
 *
 * A crash between the steps leaves a reference without a rule: the safe direction (it only blocks a
 * delete, which `force=true` or {@link healRuleRefs} clears). A reference carries the rule version
 * that introduced it; removal is conditional on it, so a removal based on an older read never drops
 * a reference a newer write re-added.
 */

import { ValidationError } from '../../../errors.js';
import type { Gateway } from '../../../runtime/gateway.js';
import type { RuleTarget } from '../../../schemas/routing.js';
import { keys } from '../../../store/keys.js';
import { providerIdsOf } from './mapper.js';

/** Bumps a provider's version if it still exists; false when it is gone. */
async function touchProvider(deps: Gateway, providerId: string): Promise<boolean> {
  const outcome = await deps.table.update({
    key: keys.provider(providerId),
    add: { version: 1 },
    condition: 'attribute_exists(pk)',
  });
  return outcome.applied;
}

/**
 * Writes references from `providerIds` to a rule about to reach `ruleVersion`, then pins each
 * provider (see the module comment).
 *
 * @throws ValidationError (422) when a provider was deleted meanwhile; references written are removed.
 */
export async function addRefs(
  deps: Gateway,
  input: { ruleId: string; providerIds: readonly string[]; ruleVersion: number },
): Promise<void> {
  for (const providerId of input.providerIds) {
    await deps.table.put({
      ...keys.providerRuleRef(providerId, input.ruleId),
      entity: 'rule_ref',
      rule_id: input.ruleId,
      provider_id: providerId,
      rule_version: input.ruleVersion,
    });
    if (!(await touchProvider(deps, providerId))) {
      await removeRefs(deps, {
        ruleId: input.ruleId,
        providerIds: input.providerIds,
        upToVersion: input.ruleVersion,
      });
      throw new ValidationError('The rule names a provider that was just deleted.', {
        details: [{ field: `provider ${providerId}`, message: 'unknown provider' }],
      });
    }
  }
}

/**
 * Removes references of a rule, each only if it was written for a rule version up to `upToVersion`
 * (`null`: unconditionally, the rule is gone).
 */
export async function removeRefs(
  deps: Gateway,
  input: { ruleId: string; providerIds: readonly string[]; upToVersion: number | null },
): Promise<void> {
  for (const providerId of input.providerIds) {
    // A refused condition: a newer rule version re-added the reference, which stays.
    await deps.table.delete(
      keys.providerRuleRef(providerId, input.ruleId),
      input.upToVersion === null
        ? {}
        : {
            condition: 'attribute_not_exists(rule_version) OR rule_version <= :v',
            values: { ':v': input.upToVersion },
          },
    );
  }
}

/**
 * After a failed rule write: removes the references this write added that the stored rule (read
 * again) does not use.
 */
export async function undoAddedRefs(
  deps: Gateway,
  input: { ruleId: string; added: readonly string[]; attemptedVersion: number },
): Promise<void> {
  const current = await deps.table.get(keys.routingRule(input.ruleId));
  const used = new Set(current ? providerIdsOf((current.targets ?? []) as RuleTarget[]) : []);
  const unused = input.added.filter((id) => !used.has(id));
  const upTo = current ? Math.max(Number(current.version), input.attemptedVersion) : null;
  await removeRefs(deps, { ruleId: input.ruleId, providerIds: unused, upToVersion: upTo });
}

/**
 * Repairs a provider's references: drops those whose rule no longer exists or no longer names the
 * provider (what a crash between a reference write and a rule write leaves behind). Returns the
 * rule ids still holding the provider. For the provider-delete path and operators; never on the
 * request path.
 */
export async function healRuleRefs(deps: Gateway, providerId: string): Promise<string[]> {
  const refs = await deps.table.queryAll({
    partition: keys.provider(providerId).pk,
    skPrefix: keys.providerRuleRefPrefix(),
  });
  const holding: string[] = [];
  for (const ref of refs) {
    const ruleId = String(ref.rule_id);
    const rule = await deps.table.get(keys.routingRule(ruleId));
    if (rule && providerIdsOf((rule.targets ?? []) as RuleTarget[]).includes(providerId)) {
      holding.push(ruleId);
    } else {
      await removeRefs(deps, {
        ruleId,
        providerIds: [providerId],
        upToVersion: rule ? Number(rule.version) : null,
      });
    }
  }
  return holding;
}

import type { Principal } from '../../../auth/roles.js';
import { ValidationError } from '../../../errors.js';
import type { Gateway } from '../../../runtime/gateway.js';
import type { RuleTarget, RuleType } from '../../../schemas/routing.js';
import { keys } from '../../../store/keys.js';
import { canSeeModel, canSeeProvider } from '../../actor.js';
import { isGlob } from '../glob.js';

/** What a rule must agree with in the catalog. */
export interface RuleShape {
  rule_type: RuleType;
  service_type: string;
  model_pattern: string;
  targets: readonly RuleTarget[];
}

type Issue = { field: string; message: string };

async function providerIssues(deps: Gateway, shape: RuleShape, principal: Principal): Promise<Issue[]> {
  const ids = [...new Set(shape.targets.map((t) => t.provider_id))];
  const items = await Promise.all(
    ids.map((id) => (canSeeProvider(principal, id) ? deps.table.get(keys.provider(id)) : undefined)),
  );
  const issues: Issue[] = [];
  ids.forEach((id, i) => {
    const item = items[i];
    const field = `provider ${id}`;
    if (!item) issues.push({ field, message: 'unknown provider' });
    else if (!((item.service_types ?? []) as string[]).includes(shape.service_type)) {
      issues.push({ field, message: `does not serve ${shape.service_type}` });
    }
  });
  return issues;
}

async function modelIssues(deps: Gateway, shape: RuleShape, principal: Principal): Promise<Issue[]> {
  const exact = isGlob(shape.model_pattern) ? null : shape.model_pattern;
  const checks = shape.targets
    .map((t, i) => ({ i, providerId: t.provider_id, model: t.model ?? exact }))
    .filter((c): c is { i: number; providerId: string; model: string } => c.model !== null);
  const found = await Promise.all(
    checks.map((c) =>
      canSeeProvider(principal, c.providerId) && canSeeModel(principal, c.model)
        ? deps.table.get(keys.model(c.providerId, c.model))
        : undefined,
    ),
  );
  return checks.flatMap((c, n) =>
    found[n]
      ? []
      : [{ field: `targets.${c.i}.model`, message: `provider ${c.providerId} has no model ${c.model}` }],
  );
}

/**
 * Checks a rule against the catalog: every provider exists, is visible to the caller and serves the
 * rule's service type; every model the rule names (a target's model, or an exact pattern sent to
 * each provider) is in that provider's catalog; a weighted rule has a positive weight. Unknown and
 * out-of-scope objects read the same ("unknown"), so a scoped key learns nothing.
 *
 * @throws ValidationError (422) listing every problem found.
 */
export async function validateRuleShape(
  deps: Gateway,
  shape: RuleShape,
  principal: Principal,
): Promise<void> {
  const issues = [
    ...(await providerIssues(deps, shape, principal)),
    ...(await modelIssues(deps, shape, principal)),
  ];
  if (shape.rule_type === 'weighted' && !shape.targets.some((t) => t.weight > 0)) {
    issues.push({ field: 'targets', message: 'a weighted rule needs at least one positive weight' });
  }
  if (issues.length > 0) {
    throw new ValidationError('The rule names providers or models that cannot serve it.', {
      details: issues.slice(0, 20),
    });
  }
}

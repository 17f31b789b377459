import { readCacheSetting } from '../../../auth/cache-setting.js';
import type { Principal } from '../../../auth/roles.js';
import { readOwnerScope } from '../../../auth/scope.js';
import type { RetryPolicy, Rule, RuleTarget } from '../../../schemas/routing.js';
import { RETRY_CLASSES } from '../../../schemas/vocabulary.js';
import type { Item } from '../../../store/table.js';
import { canSeeModel, canSeeProvider } from '../../actor.js';
import { isGlob } from '../glob.js';

/** A rule's retry policy with every field set (`retry_on` defaults to every retryable class). */
export type StoredRetryPolicy = Rule['retry_policy'];

/** Default retry policy of a rule that names none (the attempt cap still applies on top). */
export const DEFAULT_RETRY_POLICY: StoredRetryPolicy = {
  max_attempts: 3,
  backoff_base_ms: 200,
  backoff_max_ms: 5_000,
  retry_on: [...RETRY_CLASSES],
};

/** Completes a validated policy for storage. */
export function storedPolicy(policy: RetryPolicy | undefined): StoredRetryPolicy {
  if (!policy) return { ...DEFAULT_RETRY_POLICY, retry_on: [...DEFAULT_RETRY_POLICY.retry_on] };
  return { ...policy, retry_on: policy.retry_on ?? [...RETRY_CLASSES] };
}

/** The one stored target form: `provider_ids` become targets with the requested model and weight 1. */
export function normalizeTargets(input: {
  provider_ids?: readonly string[] | undefined;
  targets?: ReadonlyArray<{ provider_id: string; model?: string | undefined; weight?: number | undefined }>;
}): RuleTarget[] {
  if (input.targets) {
    return input.targets.map((t) => ({
      provider_id: t.provider_id,
      model: t.model ?? null,
      weight: t.weight ?? 1,
    }));
  }
  return (input.provider_ids ?? []).map((id) => ({ provider_id: id, model: null, weight: 1 }));
}

/** Distinct provider ids of a rule's targets, in first-appearance order. */
export function providerIdsOf(targets: readonly RuleTarget[]): string[] {
  return [...new Set(targets.map((t) => t.provider_id))];
}

/** The public view of a stored rule. */
export function toRule(item: Item): Rule {
  const targets = (item.targets ?? []) as RuleTarget[];
  return {
    id: String(item.id),
    rule_name: String(item.rule_name),
    rule_type: item.rule_type as Rule['rule_type'],
    service_type: item.service_type as Rule['service_type'],
    model_pattern: String(item.model_pattern),
    provider_ids: providerIdsOf(targets),
    targets: targets.map((t) => ({
      provider_id: t.provider_id,
      model: t.model ?? null,
      weight: Number(t.weight),
    })),
    fallback_enabled: item.fallback_enabled !== false,
    retry_policy: (item.retry_policy as StoredRetryPolicy | undefined) ?? DEFAULT_RETRY_POLICY,
    priority: Number(item.priority),
    is_active: item.is_active !== false,
    cache: readCacheSetting(item.cache),
    log_payloads: item.log_payloads === true,
    owner_scope: readOwnerScope(item.owner_scope),
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}

/**
 * Whether a scoped key may see a rule: every provider it names, and every model it names
 * explicitly (a target's model, or an exact pattern), must be within the key's scope.
 */
export function canSeeRule(principal: Principal | undefined, rule: Pick<Rule, 'targets' | 'model_pattern'>) {
  const models = rule.targets.map((t) => t.model).filter((m): m is string => m !== null);
  if (!isGlob(rule.model_pattern)) models.push(rule.model_pattern);
  return (
    rule.targets.every((t) => canSeeProvider(principal, t.provider_id)) &&
    models.every((m) => canSeeModel(principal, m))
  );
}

/**
 * Route resolution: which (provider, model) pairs may serve a request, in the order to try them.
 *
 * 1. The most specific active rule for (service type, model): an exact pattern beats any glob, a
 *    longer glob beats a shorter one, then the lower `priority`, then the older rule.
 * 2. Without one, every provider whose catalog serves the model, by provider priority.
 * 3. Targets are dropped when their provider is unknown, not active or not serving the service type,
 *    the model is not in its catalog or inactive, the caller's key may not use it (the model asked
 *    for and the model called must both be inside its scope; rules and models owned by a scoped key
 *    act only on keys inside that scope), a circuit is open,
 *    or the model lacks what the request needs.
 * 4. The rule's strategy orders the rest; without fallback only the first is kept.
 *
 * Everything comes from the cached snapshot: 0 reads per request in steady state.
 */
import type { Principal } from '../../auth/roles.js';
import { actsOn } from '../../auth/scope.js';
import type { Config } from '../../config.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Model } from '../../schemas/models.js';
import type { Provider } from '../../schemas/providers.js';
import type { Rule, RuleType } from '../../schemas/routing.js';
import { canSeeModel, canSeeProvider } from '../actor.js';
import { checkCircuit } from './circuit.js';
import type { FailoverPolicy } from './failover.js';
import { globMatch } from './glob.js';
import { DEFAULT_RETRY_POLICY } from './rules/mapper.js';
import { routingSnapshot } from './snapshot.js';
import type { Snapshot } from './state.js';
import { pairKey } from './state.js';
import { type Eligible, STRATEGIES } from './strategies/index.js';

/** What the request needs from a model; a target lacking any of it is skipped. */
export interface RequestNeeds {
  vision?: boolean;
  tools?: boolean;
  json_mode?: boolean;
  /** Prompt plus requested output, in tokens; the model's context window must hold it. */
  contextTokens?: number;
}

export interface ResolveInput {
  serviceType: Provider['service_types'][number];
  /** The model the caller named. */
  model: string;
  needs?: RequestNeeds;
  /** The caller: a key scoped to some providers or models only routes to those. */
  principal?: Principal;
  /** Uniform random source in [0, 1) for weighted rules (default `Math.random`). */
  random?: () => number;
}

/** One attempt target, in failover order. */
export interface Candidate {
  provider: Provider;
  /** The model id to send upstream (a rule target may map the requested model to another). */
  modelId: string;
  /** The catalog entry of that model (prices, capabilities, context window). */
  model: Model;
  ruleId?: string;
}

export type SkipReason =
  | 'unknown_provider'
  | 'provider_inactive'
  | 'service_type'
  | 'not_in_catalog'
  | 'model_inactive'
  | 'out_of_scope'
  | 'circuit_open'
  | 'missing_capability';

export interface Resolution {
  candidates: Candidate[];
  rule: Rule | null;
  strategy: RuleType;
  /** Retry and failover policy: the rule's, capped by `PROVIDER_MAX_RETRIES` + 1 attempts. */
  policy: FailoverPolicy;
  /** Targets dropped, and why (for a clear error when nothing is left, and for logs). */
  skipped: Array<{ providerId: string; modelId: string; reason: SkipReason }>;
}

/**
 * The most specific active rule for (service type, model) that acts on the caller, or `null`. A rule
 * owned by a scoped key routes only requests of keys inside its owner's scope (`lib/auth/scope.ts`).
 */
export function matchRule(
  snapshot: Snapshot,
  input: Pick<ResolveInput, 'serviceType' | 'model' | 'principal'>,
): Rule | null {
  return (
    snapshot.rules.find(
      (r) =>
        r.service_type === input.serviceType &&
        globMatch(r.model_pattern, input.model) &&
        actsOn(r.owner_scope, input.principal),
    ) ?? null
  );
}

/** The failover policy of a rule (or the default), with attempts capped by configuration. */
export function failoverPolicy(config: Config, rule: Rule | null): FailoverPolicy {
  const p = rule?.retry_policy ?? DEFAULT_RETRY_POLICY;
  const cap = config.PROVIDER_MAX_RETRIES + 1;
  return {
    maxAttempts: rule ? Math.min(p.max_attempts, cap) : cap,
    backoffBaseMs: p.backoff_base_ms,
    backoffMaxMs: p.backoff_max_ms,
    retryOn: p.retry_on,
  };
}

type Target = { providerId: string; modelId: string; weight: number };

function targetsOf(snapshot: Snapshot, rule: Rule | null, model: string): Target[] {
  if (rule) {
    return rule.targets.map((t) => ({
      providerId: t.provider_id,
      modelId: t.model ?? model,
      weight: t.weight,
    }));
  }
  return (snapshot.servedBy.get(model) ?? [])
    .map((m) => ({ m, p: snapshot.providers.get(m.provider_id) }))
    .sort(
      (a, b) =>
        (a.p?.priority ?? 1e9) - (b.p?.priority ?? 1e9) ||
        (a.p?.created_at ?? '').localeCompare(b.p?.created_at ?? '') ||
        a.m.provider_id.localeCompare(b.m.provider_id),
    )
    .map(({ m }) => ({ providerId: m.provider_id, modelId: m.model_id, weight: 1 }));
}

function lacksNeeds(model: Model, needs: RequestNeeds | undefined): boolean {
  if (!needs) return false;
  const caps = model.capabilities;
  if (needs.vision && !caps.includes('vision')) return true;
  if (needs.tools && !caps.includes('tools')) return true;
  if (needs.json_mode && !caps.includes('json_mode')) return true;
  const window = model.context_window;
  return needs.contextTokens !== undefined && window !== null && needs.contextTokens > window;
}

function skipReason(
  deps: Gateway,
  snapshot: Snapshot,
  t: Target,
  input: ResolveInput,
): SkipReason | Eligible {
  const provider = snapshot.providers.get(t.providerId);
  if (!provider) return 'unknown_provider';
  if (provider.status !== 'active') return 'provider_inactive';
  if (!provider.service_types.includes(input.serviceType)) return 'service_type';
  const model = snapshot.models.get(pairKey(t.providerId, t.modelId));
  if (!model) return 'not_in_catalog';
  if (!model.is_active) return 'model_inactive';
  // The key's scope holds for the model asked for and for the model actually called; a model owned
  // by a scoped key serves only keys inside that scope.
  if (
    !canSeeProvider(input.principal, t.providerId) ||
    !canSeeModel(input.principal, input.model) ||
    !canSeeModel(input.principal, t.modelId) ||
    !actsOn(model.owner_scope, input.principal)
  ) {
    return 'out_of_scope';
  }
  const now = deps.now();
  const circuits = [
    checkCircuit(deps, { providerId: t.providerId }, now),
    checkCircuit(deps, { providerId: t.providerId, modelId: t.modelId }, now),
  ];
  if (circuits.some((c) => c.status === 'open')) return 'circuit_open';
  if (lacksNeeds(model, input.needs)) return 'missing_capability';
  return { provider, model, modelId: t.modelId, weight: t.weight };
}

/**
 * Resolves the ordered candidates of a request, with the rule and policy that produced them.
 * Reads only the cached snapshot; writes nothing.
 *
 * @returns an empty `candidates` list when nothing can serve; `skipped` says why.
 * @throws the store's errors only when the snapshot must be refreshed and the table fails.
 */
export async function resolveRoute(deps: Gateway, input: ResolveInput): Promise<Resolution> {
  const snapshot = await routingSnapshot(deps);
  const rule = matchRule(snapshot, input);
  const eligible: Eligible[] = [];
  const skipped: Resolution['skipped'] = [];
  for (const target of targetsOf(snapshot, rule, input.model)) {
    const verdict = skipReason(deps, snapshot, target, input);
    if (typeof verdict === 'string')
      skipped.push({ providerId: target.providerId, modelId: target.modelId, reason: verdict });
    else eligible.push(verdict);
  }
  const strategy: RuleType = rule?.rule_type ?? 'primary_fallback';
  const random = input.random ?? Math.random;
  const ordered = await STRATEGIES[strategy](eligible, { deps, snapshot, rule, random, now: deps.now() });
  const kept = rule && !rule.fallback_enabled ? ordered.slice(0, 1) : ordered;
  const candidates = kept.map((e) => ({
    provider: e.provider,
    modelId: e.modelId,
    model: e.model,
    ...(rule ? { ruleId: rule.id } : {}),
  }));
  return { candidates, rule, strategy, policy: failoverPolicy(deps.config, rule), skipped };
}

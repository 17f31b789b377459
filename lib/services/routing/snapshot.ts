/**
 * The routing configuration an instance works from: active rules, providers, the catalog, circuits
 * that are not closed, and shared latency figures. It is read in one refresh (a handful of queries)
 * and reused for `ROUTING_CACHE_TTL` seconds, so a request reads nothing from DynamoDB in steady
 * state and a rule change applies within the TTL. Refreshes are single-flight per instance.
 */
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Model } from '../../schemas/models.js';
import type { Rule } from '../../schemas/routing.js';
import { keys } from '../../store/keys.js';
import { toModel } from '../models/mapper.js';
import { toProvider } from '../providers/mapper.js';
import { circuitEntryOf } from './circuit-store.js';
import { patternSpecificity } from './glob.js';
import { type SharedLatency, sharedLatencyOf } from './latency-store.js';
import { toRule } from './rules/mapper.js';
import { pairKey, routingState, type Snapshot } from './state.js';

function orderRules(rules: Rule[]): Rule[] {
  return rules
    .filter((r) => r.is_active)
    .sort(
      (a, b) =>
        patternSpecificity(b.model_pattern) - patternSpecificity(a.model_pattern) ||
        a.priority - b.priority ||
        a.created_at.localeCompare(b.created_at) ||
        a.id.localeCompare(b.id),
    );
}

/**
 * Latency figures of the providers least_latency rules use: the shared per-model EWMA items, and
 * the health checker's per-provider state (`latency_ewma_ms`), read structurally.
 */
async function loadLatencies(deps: Gateway, rules: Rule[]) {
  const providerIds = [
    ...new Set(rules.filter((r) => r.rule_type === 'least_latency').flatMap((r) => r.provider_ids)),
  ];
  const [pages, healthItems] = await Promise.all([
    Promise.all(
      providerIds.map((id) =>
        deps.table.queryAll({ partition: keys.provider(id).pk, skPrefix: keys.latencyOfProviderPrefix() }),
      ),
    ),
    Promise.all(providerIds.map((id) => deps.table.get(keys.providerHealthState(id)))),
  ]);
  const latencies = new Map<string, SharedLatency>();
  for (const item of pages.flat()) {
    const shared = sharedLatencyOf(item);
    if (shared) latencies.set(pairKey(shared.providerId, shared.modelId), shared);
  }
  const healthLatencies = new Map<string, number>();
  providerIds.forEach((id, i) => {
    const ewmaMs = healthItems[i]?.latency_ewma_ms;
    if (typeof ewmaMs === 'number' && Number.isFinite(ewmaMs)) healthLatencies.set(id, ewmaMs);
  });
  return { latencies, healthLatencies };
}

async function load(deps: Gateway): Promise<Snapshot> {
  const loadedAt = deps.now();
  const [ruleItems, providerItems, modelItems, circuitItems] = await Promise.all([
    deps.table.queryAll({ index: 'gsi1', partition: keys.routingRulesPartition() }),
    deps.table.queryAll({ index: 'gsi1', partition: keys.providersPartition() }),
    deps.table.queryAll({ index: 'gsi1', partition: keys.modelsPartition() }),
    deps.table.queryAll({ index: 'gsi1', partition: keys.openCircuitsPartition() }),
  ]);
  const rules = orderRules(ruleItems.map(toRule));
  const models = new Map<string, Model>();
  const servedBy = new Map<string, Model[]>();
  for (const item of modelItems) {
    const model = toModel(item, loadedAt);
    models.set(pairKey(model.provider_id, model.model_id), model);
    servedBy.set(model.model_id, [...(servedBy.get(model.model_id) ?? []), model]);
  }
  const state = routingState(deps);
  const circuits = new Map(circuitItems.map((item) => circuitEntryOf(item)));
  // Keep what this instance observed after the refresh began (its own writes are newer).
  for (const [key, view] of state.circuits) {
    if (view.changedAt > (circuits.get(key)?.changedAt ?? loadedAt)) circuits.set(key, view);
  }
  state.circuits = circuits;
  return {
    loadedAt,
    rules,
    providers: new Map(providerItems.map((item) => [String(item.id), toProvider(item)])),
    models,
    servedBy,
    ...(await loadLatencies(deps, rules)),
  };
}

/**
 * The instance's routing snapshot, refreshed when older than `ROUTING_CACHE_TTL` (0: every call).
 * Concurrent callers share one refresh; a failed refresh serves the previous snapshot.
 *
 * @throws the store's errors (e.g. a 503 when DynamoDB throttles) only when there is no snapshot yet.
 */
export async function routingSnapshot(deps: Gateway): Promise<Snapshot> {
  const state = routingState(deps);
  const ttlMs = deps.config.ROUTING_CACHE_TTL * 1000;
  const current = state.snapshot;
  if (current && ttlMs > 0 && deps.now() - current.loadedAt < ttlMs) return current;
  if (!state.loading) {
    state.loading = load(deps)
      .then((snapshot) => {
        state.snapshot = snapshot;
        return snapshot;
      })
      .catch((error: unknown) => {
        // A failed refresh keeps serving the last snapshot (the next request tries again).
        if (!current) throw error;
        logger.warn('routing snapshot refresh failed; serving the previous one', {
          error: describeError(error),
        });
        return current;
      })
      .finally(() => {
        state.loading = undefined;
      });
  }
  return state.loading;
}

/** Drops the instance's snapshot so the next request reloads (tests, and after local rule writes). */
export function invalidateRoutingSnapshot(deps: Gateway): void {
  routingState(deps).snapshot = undefined;
}

import type { Deps } from '../../runtime/deps.js';
import type { Pricing } from '../../schemas/models.js';
import { keys } from '../../store/keys.js';
import { priceAt } from '../pricing.js';

interface Entry {
  history: readonly Pricing[] | null;
  loadedAt: number;
  loading?: Promise<readonly Pricing[] | null>;
}

/** Price histories per container and table, so each test's gateway has its own cache. */
const caches = new WeakMap<object, Map<string, Entry>>();

function cacheOf(deps: Deps): Map<string, Entry> {
  let cache = caches.get(deps.table);
  if (!cache) {
    cache = new Map();
    caches.set(deps.table, cache);
  }
  return cache;
}

async function load(deps: Deps, providerId: string, modelId: string): Promise<readonly Pricing[] | null> {
  const item = await deps.table.get(keys.model(providerId, modelId));
  return item ? ((item.pricing_history ?? []) as Pricing[]) : null;
}

/**
 * A model's price history, read at most once per `ROUTING_CACHE_TTL` seconds per container
 * (concurrent misses share one read). A price change saved less than that ahead of its
 * `effective_from` may be missed by a container for up to the TTL; the catalog's default of 60 s
 * and prices announced ahead of time make that moot in practice.
 *
 * @returns the history, or null when the model is not in the catalog.
 */
export async function priceHistory(deps: Deps, providerId: string, modelId: string) {
  const cache = cacheOf(deps);
  const id = `${providerId}\u0000${modelId}`;
  const now = deps.now();
  const ttlMs = deps.config.ROUTING_CACHE_TTL * 1000;
  const entry = cache.get(id);
  if (entry && !entry.loading && now - entry.loadedAt < ttlMs && now >= entry.loadedAt) return entry.history;
  if (entry?.loading) return entry.loading;
  const loading = load(deps, providerId, modelId);
  cache.set(id, { history: entry?.history ?? null, loadedAt: entry?.loadedAt ?? 0, loading });
  try {
    const history = await loading;
    cache.set(id, { history, loadedAt: now });
    return history;
  } catch (error) {
    cache.delete(id);
    throw error;
  }
}

/** The price in force for a model at `atMs` (cached history), or null when there is none. */
export async function pricingAt(deps: Deps, input: { providerId: string; modelId: string; atMs: number }) {
  const history = await priceHistory(deps, input.providerId, input.modelId);
  return history ? priceAt(history, input.atMs) : null;
}

/** Forgets cached prices (a model was changed in this container, or a test resets). */
export function forgetPrices(deps: Deps): void {
  caches.delete(deps.table);
}

import { cached } from '../../runtime/cache.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Pricing } from '../../schemas/models.js';
import { keys } from '../../store/keys.js';
import { priceAt } from '../pricing.js';

const PRICES = 'price:';

async function load(deps: Gateway, providerId: string, modelId: string): Promise<readonly Pricing[] | null> {
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
export function priceHistory(deps: Gateway, providerId: string, modelId: string) {
  return cached(deps, `${PRICES}${providerId}\u0000${modelId}`, deps.config.ROUTING_CACHE_TTL * 1000, () =>
    load(deps, providerId, modelId),
  );
}

/** The price in force for a model at `atMs` (cached history), or null when there is none. */
export async function pricingAt(deps: Gateway, input: { providerId: string; modelId: string; atMs: number }) {
  const history = await priceHistory(deps, input.providerId, input.modelId);
  return history ? priceAt(history, input.atMs) : null;
}

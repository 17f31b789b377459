import type { Pricing } from '../../../schemas/models.js';
import { priceAt } from '../../pricing.js';
import type { Eligible, Strategy } from './types.js';

/**
 * A comparable unit price of a model, from the catalog price in force at `atMs`: input plus output
 * per million tokens (a 1:1 blend), the per-character / per-second price of speech models, or the
 * lowest per-image price of image models.
 * `Infinity` when the catalog has no price (such models go last).
 */
export function unitPrice(target: Eligible, atMs: number): number {
  const price = priceAt(target.model.pricing_history as Pricing[], atMs);
  if (!price) return Number.POSITIVE_INFINITY;
  if (price.input_per_1m !== undefined || price.output_per_1m !== undefined) {
    return (price.input_per_1m ?? 0) + (price.output_per_1m ?? 0);
  }
  const image = price.per_image?.length ? Math.min(...price.per_image.map((p) => p.usd)) : undefined;
  return price.per_character ?? price.per_second ?? image ?? Number.POSITIVE_INFINITY;
}

/**
 * cost_optimized: cheapest first. Targets already passed the request's needs (vision, tools, JSON
 * mode, context length), so the first is the cheapest model that can serve the request; ties keep
 * the rule's order.
 */
export const costOptimized: Strategy = async (targets, ctx) =>
  targets
    .map((t, i) => ({ t, i, p: unitPrice(t, ctx.now) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.t);

import { ValidationError } from '../errors.js';
import type { Pricing, PricingInput } from '../schemas/models.js';

/** Longest price history kept on a model item (an item is at most 400 KB). */
export const MAX_PRICE_HISTORY = 200;
/** How far in the past a new price may start: a change must not re-price usage already recorded. */
const BACKDATE_TOLERANCE_MS = 5 * 60_000;

/** The price in force at `atMs`: the latest entry whose `effective_from` is not after it. */
export function priceAt(history: readonly Pricing[], atMs: number): Pricing | null {
  let best: Pricing | null = null;
  for (const entry of history) {
    const from = Date.parse(entry.effective_from);
    if (from <= atMs && (!best || from >= Date.parse(best.effective_from))) best = entry;
  }
  return best;
}

/**
 * Appends a price to a model's history. On an existing model a price may not start before the
 * latest one, nor more than a few minutes in the past: history is append-only, so a price change
 * never rewrites the cost of requests already served.
 */
export function appendPrice(
  history: readonly Pricing[],
  input: PricingInput,
  nowMs: number,
  options: { isNewModel: boolean },
): Pricing[] {
  const entry: Pricing = { ...input, effective_from: input.effective_from ?? new Date(nowMs).toISOString() };
  const from = Date.parse(entry.effective_from);
  const latest = history.reduce(
    (max, p) => Math.max(max, Date.parse(p.effective_from)),
    Number.NEGATIVE_INFINITY,
  );
  if (!options.isNewModel) {
    if (from < nowMs - BACKDATE_TOLERANCE_MS) {
      throw new ValidationError('A price change cannot start in the past.', {
        details: [{ field: 'pricing.effective_from', message: 'must not be in the past' }],
      });
    }
    if (from <= latest) {
      throw new ValidationError('A price change must start after the latest price in the history.', {
        details: [{ field: 'pricing.effective_from', message: 'must be after the latest effective_from' }],
      });
    }
  }
  if (history.length >= MAX_PRICE_HISTORY) {
    throw new ValidationError(`A model keeps at most ${MAX_PRICE_HISTORY} prices.`);
  }
  return [...history, entry];
}

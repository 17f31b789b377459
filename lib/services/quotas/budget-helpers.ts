import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { costOf, imagePrice, type UsageQuantities } from '../usage/cost.js';
import { pricingAt } from '../usage/pricing-cache.js';
import { type BudgetAmount, type Reservation, reserveBudget, settleBudget } from './budget.js';

/** Images a call will make, for holds: how many, at what size and quality (as the caller asked). */
export interface ExpectedImages {
  images: number;
  image_size: string;
  image_quality: string;
}

/**
 * The most one call can use, for strict holds: its prompt tokens plus `max_tokens` of output, and
 * the images it asks for, at the price in force at `atMs` (cached prices; no read in steady state).
 * Cached-input discounts are ignored, and an image whose size and quality match no per-image price
 * (a provider that names its qualities differently) is held at the model's highest per-image price,
 * so the hold is never below the real cost.
 */
export async function reservationAmount(
  deps: Gateway,
  call: {
    providerId: string;
    modelId: string;
    atMs: number;
    inputTokens: number;
    maxOutputTokens: number;
    images?: ExpectedImages | undefined;
  },
): Promise<BudgetAmount> {
  const pricing = await pricingAt(deps, call);
  const usage: UsageQuantities = {
    input_tokens: call.inputTokens,
    output_tokens: call.maxOutputTokens,
    cached_input_tokens: 0,
  };
  const prices = pricing?.per_image;
  if (call.images && prices?.length) {
    const matched = imagePrice(prices, call.images.image_size, call.images.image_quality);
    const highest = prices.reduce((a, b) => (b.usd > a.usd ? b : a));
    Object.assign(
      usage,
      call.images,
      matched === undefined ? { image_size: highest.size, image_quality: highest.quality } : {},
    );
  }
  return {
    costNanos: costOf(pricing, usage).nanos,
    tokens: call.inputTokens + call.maxOutputTokens,
    requests: 1,
  };
}

/**
 * Holds `amount` on every strict quota of a call, all or nothing: if one refuses (429
 * `quota_exceeded`), the holds already taken are released before the error is rethrown.
 */
export async function reserveAll(
  deps: Gateway,
  input: { quotas: Quota[]; amount: BudgetAmount },
): Promise<Reservation[]> {
  const taken: Reservation[] = [];
  try {
    for (const quota of input.quotas) taken.push(await reserveBudget(deps, { quota, amount: input.amount }));
    return taken;
  } catch (error) {
    await settleAll(deps, taken, { costNanos: 0, tokens: 0, requests: 0 });
    throw error;
  }
}

/** Settles every hold of a call with what it really used; a failure is logged (the hold expires). */
export async function settleAll(
  deps: Gateway,
  reservations: Reservation[],
  actual: BudgetAmount,
): Promise<void> {
  await Promise.all(
    reservations.map((r) =>
      settleBudget(deps, r, actual).catch((error: unknown) => {
        logger.error('quota reservation not settled', { quota_id: r.quotaId, error: describeError(error) });
        return false;
      }),
    ),
  );
}

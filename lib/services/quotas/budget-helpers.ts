import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Pricing } from '../../schemas/models.js';
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

/** The most one call can consume, in the units prices apply to (see `reservationAmount`). */
export interface HoldQuantities {
  inputTokens: number;
  maxOutputTokens: number;
  images?: ExpectedImages | undefined;
  /** Characters to synthesise (speech, priced `per_character`). */
  characters?: number | undefined;
  /** Most seconds of audio to transcribe (priced `per_second`). */
  audioSeconds?: number | undefined;
}

/**
 * What a call of at most `call` is held at under `pricing` (pure): prompt tokens priced at the
 * dearest way a provider can bill them (plain input, read from or written to the prompt cache for 5
 * minutes or 1 hour: cache writes cost more than input), output tokens, the
 * characters and audio seconds at their unit prices, and the images asked for; an image whose size
 * and quality match no per-image price (a provider that names its qualities differently) at the
 * model's highest per-image price. So the hold is never below the real cost.
 */
export function holdAmount(pricing: Pricing | null, call: HoldQuantities): BudgetAmount {
  const usage: UsageQuantities = {
    input_tokens: call.inputTokens,
    output_tokens: call.maxOutputTokens,
    cached_input_tokens: 0,
    ...(call.characters ? { characters: call.characters } : {}),
    ...(call.audioSeconds ? { audio_seconds: call.audioSeconds } : {}),
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
  // Cost is linear in how the prompt splits between its classes: the dearest class bounds any split.
  const written = { cache_write_tokens: call.inputTokens };
  const costNanos = Math.max(
    costOf(pricing, usage).nanos,
    costOf(pricing, { ...usage, cached_input_tokens: call.inputTokens }).nanos,
    costOf(pricing, { ...usage, ...written }).nanos,
    costOf(pricing, { ...usage, ...written, cache_write_1h_tokens: call.inputTokens }).nanos,
  );
  return { costNanos, tokens: call.inputTokens + call.maxOutputTokens, requests: 1 };
}

/**
 * The most one call can use, for strict holds ({@link holdAmount}), at the price in force at `atMs`
 * (cached prices; no read in steady state). The caller passes bounds: every choice, every input form.
 */
export async function reservationAmount(
  deps: Gateway,
  call: HoldQuantities & { providerId: string; modelId: string; atMs: number },
): Promise<BudgetAmount> {
  return holdAmount(await pricingAt(deps, call), call);
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

/**
 * Settles every hold of a call at the amount it held: for a call whose usage is unknown (a stream
 * broken or abandoned after its first byte), the most it could have cost is what counts. The
 * holds are released at once rather than left to expire.
 */
export async function settleAtHold(deps: Gateway, reservations: Reservation[]): Promise<void> {
  await Promise.all(
    reservations.map((r) =>
      settleBudget(deps, r, { costNanos: r.amount, tokens: r.amount, requests: r.amount }).catch(
        (error: unknown) => {
          logger.error('quota reservation not settled', { quota_id: r.quotaId, error: describeError(error) });
          return false;
        },
      ),
    ),
  );
}

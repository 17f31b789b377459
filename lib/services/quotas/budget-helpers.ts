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
 * The most one call can use, for strict holds: its prompt tokens plus its output tokens (the
 * caller passes bounds: every choice, every input form), the characters it synthesises, the seconds
 * of audio it transcribes, and the images it asks for, at the price in force at `atMs` (cached
 * prices; no read in steady state). Prompt tokens are priced at the dearest way a provider can bill
 * them (plain input, or written to the prompt cache for 5 minutes or 1 hour: cache writes cost more
 * than input), cached-input discounts are ignored, and an image whose size and quality match no
 * per-image price (a provider that names its qualities differently) is held at the model's highest
 * per-image price, so the hold is never below the real cost.
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
    /** Characters to synthesise (speech, priced `per_character`). */
    characters?: number | undefined;
    /** Most seconds of audio to transcribe (priced `per_second`). */
    audioSeconds?: number | undefined;
  },
): Promise<BudgetAmount> {
  const pricing = await pricingAt(deps, call);
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
  const written = { cache_write_tokens: call.inputTokens };
  const costNanos = Math.max(
    costOf(pricing, usage).nanos,
    costOf(pricing, { ...usage, ...written }).nanos,
    costOf(pricing, { ...usage, ...written, cache_write_1h_tokens: call.inputTokens }).nanos,
  );
  return { costNanos, tokens: call.inputTokens + call.maxOutputTokens, requests: 1 };
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

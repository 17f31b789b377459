import type { Pricing } from '../../schemas/models.js';
import { divideRounded, NANOS_PER_USD, toDecimal, toSafeNumber } from './units.js';

/**
 * What one call consumed, as the upstream bills it. Token semantics follow OpenAI: `input_tokens`
 * counts every prompt token, cached and cache-written ones included; `cached_input_tokens` is the
 * part served from the provider's prompt cache (billed at `cached_input_per_1m`),
 * `cache_write_tokens` the part written to it (billed at `cache_write_per_1m`, and its 1-hour
 * share `cache_write_1h_tokens` at `cache_write_1h_per_1m`). Reasoning tokens are part of
 * `output_tokens` and billed with them.
 */
export interface UsageQuantities {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens?: number | undefined;
  cache_write_1h_tokens?: number | undefined;
  /** Seconds of audio (transcription), billed at `per_second`. */
  audio_seconds?: number | undefined;
  /** Characters synthesised (speech), billed at `per_character`. */
  characters?: number | undefined;
  /** Images generated, billed at the `per_image` entry matching their size and quality. */
  images?: number | undefined;
  /** Size (`WxH`) and quality of the generated images, as the provider made them. */
  image_size?: string | undefined;
  image_quality?: string | undefined;
}

/** The cost of one call: integer nano-USD, and the reported parts the price did not cover. */
export interface Cost {
  nanos: number;
  /** Usage parts with a non-zero quantity but no price in force (their cost counts as 0). */
  unpriced: string[];
}

type Part = { name: string; quantity: number; price: number | undefined; perUnits: bigint };
type ImagePrice = NonNullable<Pricing['per_image']>[number];

/**
 * The per-image price of an image of `size` and `quality`: the most specific matching entry (both
 * named, then size only, then quality only, then neither), or `undefined` when none matches.
 */
export function imagePrice(
  prices: readonly ImagePrice[] | undefined,
  size: string | undefined,
  quality: string | undefined,
): number | undefined {
  let best: { rank: number; usd: number } | undefined;
  for (const entry of prices ?? []) {
    if (entry.size !== undefined && entry.size !== size) continue;
    if (entry.quality !== undefined && entry.quality !== quality) continue;
    const rank = (entry.size === undefined ? 0 : 2) + (entry.quality === undefined ? 0 : 1);
    if (best === undefined || rank > best.rank) best = { rank, usd: entry.usd };
  }
  return best?.usd;
}

/**
 * The images part of a call. An image model billed by tokens (gpt-image: the output tokens are the
 * image) has no per-image price: its images are then covered by the token prices, not unpriced.
 */
function imagesPart(pricing: Pricing, usage: UsageQuantities): Part[] {
  const count = usage.images ?? 0;
  const price = imagePrice(pricing.per_image, usage.image_size, usage.image_quality);
  if (count === 0 || (price === undefined && usage.output_tokens > 0)) return [];
  return [{ name: 'images', quantity: count, price, perUnits: 1n }];
}

const PER_MILLION = 1_000_000n;

/** The input tokens of each special price; a kind without its own price is billed at the input price. */
function inputKinds(pricing: Pricing, usage: UsageQuantities): Part[] {
  const writes = usage.cache_write_tokens ?? 0;
  const writes1h = usage.cache_write_1h_tokens ?? 0;
  const kinds: Array<[string, number, number | undefined]> = [
    ['cached_input_tokens', usage.cached_input_tokens, pricing.cached_input_per_1m],
    ['cache_write_tokens', writes - writes1h, pricing.cache_write_per_1m],
    ['cache_write_1h_tokens', writes1h, pricing.cache_write_1h_per_1m],
  ];
  return kinds
    .filter(([, , price]) => price !== undefined)
    .map(([name, quantity, price]) => ({ name, quantity, price, perUnits: PER_MILLION }));
}

function partsOf(pricing: Pricing, usage: UsageQuantities): Part[] {
  const special = inputKinds(pricing, usage);
  const plain = special.reduce((rest, part) => rest - part.quantity, usage.input_tokens);
  return [
    { name: 'input_tokens', quantity: plain, price: pricing.input_per_1m, perUnits: PER_MILLION },
    ...special,
    {
      name: 'output_tokens',
      quantity: usage.output_tokens,
      price: pricing.output_per_1m,
      perUnits: PER_MILLION,
    },
    { name: 'audio_seconds', quantity: usage.audio_seconds ?? 0, price: pricing.per_second, perUnits: 1n },
    { name: 'characters', quantity: usage.characters ?? 0, price: pricing.per_character, perUnits: 1n },
    ...imagesPart(pricing, usage),
  ];
}

/**
 * The exact cost of one call at one price: Σ quantity × price, computed on exact decimals (prices
 * and fractional audio seconds as typed) and rounded once, half up, to the nano-USD. The result is
 * therefore exact to the micro-dollar (±0.5 nano-USD). Cached, cache-written (5-minute) and
 * 1-hour cache-written input tokens are each billed at their own price when the model has one,
 * otherwise at the input price; images at the matching `per_image` price ({@link imagePrice}).
 * Pure: no I/O.
 *
 * @param pricing - the price in force at the request's moment (`priceAt`), or null for none.
 * @throws RangeError for negative or non-finite quantities (parts larger than the input included),
 *   or a cost beyond 2^53 nano-USD.
 * @example costOf({ input_per_1m: 2.5, output_per_1m: 10, effective_from }, { input_tokens: 1000,
 *   output_tokens: 200, cached_input_tokens: 0 }) // → { nanos: 4_500_000, unpriced: [] } ($0.0045)
 */
export function costOf(pricing: Pricing | null, usage: UsageQuantities): Cost {
  const unpriced: string[] = [];
  if (!pricing) {
    const names = ['input_tokens', 'output_tokens', 'audio_seconds', 'characters', 'images'] as const;
    return { nanos: 0, unpriced: names.filter((n) => (usage[n] ?? 0) > 0) };
  }
  // Sum exact fractions over a common denominator (a power of ten), then round once.
  let numerator = 0n;
  let scale = 0;
  for (const part of partsOf(pricing, usage)) {
    if (part.quantity < 0) throw new RangeError(`${part.name} must not be negative`);
    if (part.quantity === 0) continue;
    if (part.price === undefined) {
      unpriced.push(part.name);
      continue;
    }
    const quantity = toDecimal(part.quantity);
    const price = toDecimal(part.price);
    // quantity × price × 1e9 / perUnits, as digits / 10^(qScale + pScale) / perUnits.
    const termScale = quantity.scale + price.scale;
    let term = (quantity.digits * price.digits * BigInt(NANOS_PER_USD) * 1_000_000n) / part.perUnits;
    // perUnits (1 or 1e6) divides 1e6 exactly, so the term stays an exact integer numerator.
    if (termScale > scale) {
      numerator *= 10n ** BigInt(termScale - scale);
      scale = termScale;
    } else term *= 10n ** BigInt(scale - termScale);
    numerator += term;
  }
  const nanos = divideRounded(numerator, 10n ** BigInt(scale) * 1_000_000n);
  return { nanos: toSafeNumber(nanos, 'cost'), unpriced };
}

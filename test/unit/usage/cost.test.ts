import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pricing } from '../../../lib/schemas/models.js';
import { costOf } from '../../../lib/services/usage/cost.js';
import { nanosToUsd, secondsToMs, toDecimal, usdToNanos } from '../../../lib/services/usage/units.js';

const FROM = '2026-01-01T00:00:00.000Z';
const usage = (input: number, output: number, cached = 0) => ({
  input_tokens: input,
  output_tokens: output,
  cached_input_tokens: cached,
});

/** An independent exact reference: cost in nano-USD as a rational over 10^12, from decimal strings. */
function referenceNanos(priceText: string, quantity: bigint, perUnits: bigint): { num: bigint; den: bigint } {
  const [whole = '0', frac = ''] = priceText.split('.');
  const num = BigInt(whole + frac) * quantity * 1_000_000_000n;
  return { num, den: 10n ** BigInt(frac.length) * perUnits };
}

describe('usage cost: exact integer nano-USD', () => {
  it('prices input, cached input and output tokens at the price in force', () => {
    const pricing: Pricing = {
      input_per_1m: 2.5,
      output_per_1m: 10,
      cached_input_per_1m: 1.25,
      effective_from: FROM,
    };
    // (1000 − 400) × 2.5 + 400 × 1.25 + 200 × 10 = 1500 + 500 + 2000 USD per 1M → $0.004
    expect(costOf(pricing, usage(1000, 200, 400))).toEqual({ nanos: 4_000_000, unpriced: [] });
  });

  it('bills cached tokens at the input price when the model has no cached price', () => {
    const pricing: Pricing = { input_per_1m: 3, output_per_1m: 15, effective_from: FROM };
    expect(costOf(pricing, usage(1000, 0, 900)).nanos).toBe(3_000_000);
  });

  it('prices cache writes at their own prices: 5-minute and 1-hour apart from reads and plain input', () => {
    const haiku: Pricing = {
      input_per_1m: 1,
      output_per_1m: 5,
      cached_input_per_1m: 0.1,
      cache_write_per_1m: 1.25,
      cache_write_1h_per_1m: 2,
      effective_from: FROM,
    };
    // 10 plain, 7351 written for 5 minutes, 4 out: 10 × 1 + 7351 × 1.25 + 4 × 5 = $0.00921875.
    expect(costOf(haiku, { ...usage(7361, 4), cache_write_tokens: 7351 }).nanos).toBe(9_218_750);
    // 100 plain, 300 read, 500 written of which 200 for an hour, 10 out:
    // 100 × 1 + 300 × 0.1 + 300 × 1.25 + 200 × 2 + 10 × 5 = $0.000955.
    const mixed = { ...usage(900, 10, 300), cache_write_tokens: 500, cache_write_1h_tokens: 200 };
    expect(costOf(haiku, mixed)).toEqual({ nanos: 955_000, unpriced: [] });
  });

  it('bills cache writes at the input price when the model has no write price', () => {
    const plain: Pricing = { input_per_1m: 2, output_per_1m: 8, effective_from: FROM };
    const written = { ...usage(1000, 0), cache_write_tokens: 600, cache_write_1h_tokens: 100 };
    expect(costOf(plain, written).nanos).toBe(2_000_000);
    // Only a 5-minute price: the 1-hour writes fall back to the input price, not to it.
    expect(costOf({ ...plain, cache_write_per_1m: 2.5 }, written).nanos).toBe(
      400 * 2000 + 500 * 2500 + 100 * 2000,
    );
  });

  it('refuses parts larger than the input they belong to', () => {
    const haiku: Pricing = { input_per_1m: 1, cache_write_per_1m: 1.25, effective_from: FROM };
    expect(() => costOf(haiku, { ...usage(10, 0), cache_write_tokens: 11 })).toThrow(RangeError);
  });

  it('keeps sub-micro-dollar costs that micro-USD would round away', () => {
    const embedding: Pricing = { input_per_1m: 0.02, effective_from: FROM };
    expect(costOf(embedding, usage(30, 0)).nanos).toBe(600); // $0.0000006, not 1 µ$
    expect(costOf({ input_per_1m: 0.0375, effective_from: FROM }, usage(3, 0)).nanos).toBe(113); // 112.5 → half up
  });

  it('prices audio seconds and characters, fractional seconds included', () => {
    const tts: Pricing = { per_character: 0.000015, effective_from: FROM };
    const stt: Pricing = { per_second: 0.0001, effective_from: FROM };
    expect(costOf(tts, { ...usage(0, 0), characters: 1234 }).nanos).toBe(18_510_000);
    expect(costOf(stt, { ...usage(0, 0), audio_seconds: 12.345 }).nanos).toBe(1_234_500);
  });

  it('names usage the price does not cover and counts it as 0', () => {
    expect(costOf({ input_per_1m: 1, effective_from: FROM }, usage(10, 5))).toEqual({
      nanos: 10_000,
      unpriced: ['output_tokens'],
    });
    expect(costOf(null, usage(10, 5))).toEqual({ nanos: 0, unpriced: ['input_tokens', 'output_tokens'] });
  });

  it('equals an independent exact computation for any price with up to 6 decimals (to the nano)', () => {
    const price = fc
      .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 999_999 }))
      .map(([w, f]) => `${w}.${String(f).padStart(6, '0')}`);
    fc.assert(
      fc.property(
        price,
        price,
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (pin, pout, inp, out) => {
          const pricing: Pricing = {
            input_per_1m: Number(pin),
            output_per_1m: Number(pout),
            effective_from: FROM,
          };
          const a = referenceNanos(pin, BigInt(inp), 1_000_000n);
          const b = referenceNanos(pout, BigInt(out), 1_000_000n);
          // a.num/a.den + b.num/b.den rounded half up, compared as exact rationals.
          const num = a.num * b.den + b.num * a.den;
          const den = a.den * b.den;
          const expected = (num * 2n + den) / (den * 2n);
          expect(BigInt(costOf(pricing, usage(inp, out)).nanos)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses negative quantities', () => {
    expect(() => costOf({ input_per_1m: 1, effective_from: FROM }, usage(-1, 0))).toThrow(RangeError);
  });
});

describe('usage units: decimals read as typed', () => {
  it('reads the shortest decimal spelling of a number, exponents included', () => {
    expect(toDecimal(0.1)).toEqual({ digits: 1n, scale: 1 });
    expect(toDecimal(1e-7)).toEqual({ digits: 1n, scale: 7 });
    expect(toDecimal(2.5e21)).toEqual({ digits: 2_500_000_000_000_000_000_000n, scale: 0 });
  });

  it('converts USD limits to nano-USD and back without float error', () => {
    expect(usdToNanos(0.1) + usdToNanos(0.2)).toBe(usdToNanos(0.3));
    expect(usdToNanos(12.345678912)).toBe(12_345_678_912);
    expect(nanosToUsd(300_000_000)).toBe(0.3);
    expect(secondsToMs(1.0005)).toBe(1001);
  });
});

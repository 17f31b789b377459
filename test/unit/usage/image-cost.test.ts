import { describe, expect, it } from 'vitest';
import type { Pricing } from '../../../lib/schemas/models.js';
import { pricingInput } from '../../../lib/schemas/models.js';
import { costOf, imagePrice } from '../../../lib/services/usage/cost.js';

const FROM = '2026-01-01T00:00:00.000Z';
const images = (count: number, size: string, quality: string, tokens = { input: 0, output: 0 }) => ({
  input_tokens: tokens.input,
  output_tokens: tokens.output,
  cached_input_tokens: 0,
  images: count,
  image_size: size,
  image_quality: quality,
});

describe('usage cost: images', () => {
  const dalle3: Pricing = {
    per_image: [
      { size: '1024x1024', quality: 'standard', usd: 0.04 },
      { size: '1024x1024', quality: 'hd', usd: 0.08 },
      { quality: 'standard', usd: 0.08 },
      { quality: 'hd', usd: 0.12 },
    ],
    effective_from: FROM,
  };

  it('bills each image at the most specific matching per-image price', () => {
    expect(costOf(dalle3, images(1, '1024x1024', 'standard'))).toEqual({ nanos: 40_000_000, unpriced: [] });
    expect(costOf(dalle3, images(2, '1792x1024', 'hd'))).toEqual({ nanos: 240_000_000, unpriced: [] });
    expect(imagePrice(dalle3.per_image, '1024x1024', 'hd')).toBe(0.08);
    expect(imagePrice([{ usd: 0.01 }, { size: '512x512', usd: 0.02 }], '512x512', 'x')).toBe(0.02);
  });

  it('marks images without a matching price as unpriced, unless the model bills them by token', () => {
    const titan: Pricing = { per_image: [{ size: '512x512', usd: 0.008 }], effective_from: FROM };
    expect(costOf(titan, images(1, '1024x1024', 'standard'))).toEqual({ nanos: 0, unpriced: ['images'] });
    const gptImage: Pricing = { input_per_1m: 5, output_per_1m: 40, effective_from: FROM };
    // 20 × $5/1M + 4160 × $40/1M = $0.0001 + $0.1664, the images carried by the output tokens
    expect(costOf(gptImage, images(1, '1024x1024', 'high', { input: 20, output: 4160 }))).toEqual({
      nanos: 166_500_000,
      unpriced: [],
    });
    expect(costOf(null, images(1, '1024x1024', 'standard')).unpriced).toEqual(['images']);
  });

  it('accepts per-image prices by size and quality, and refuses a malformed or repeated entry', () => {
    expect(pricingInput.safeParse({ per_image: dalle3.per_image }).success).toBe(true);
    expect(pricingInput.safeParse({ per_image: [{ size: 'big', usd: 1 }] }).success).toBe(false);
    expect(pricingInput.safeParse({ per_image: [{ usd: 1 }, { usd: 2 }] }).success).toBe(false);
    expect(pricingInput.safeParse({ per_image: [{ size: '512x512', usd: -1 }] }).success).toBe(false);
  });
});

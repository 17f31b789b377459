import * as z from 'zod';
import { expectedVersion, isoDateTime, ownerScope, page, pageQuery, systemFields, text } from './common.js';
import { CAPABILITIES, MODEL_TYPES } from './vocabulary.js';

/** Provider model ids: letters, digits and `._:/@+-` (no `#`, which the key builder reserves). */
export const modelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/@+-]{1,200}$/, 'uses letters, digits and . _ : / @ + - (at most 200)');

const usd = z.number().min(0).max(1_000_000);

/** Most per-image prices on one pricing entry (sizes × qualities of the largest image models). */
export const MAX_IMAGE_PRICES = 64;

/**
 * One price per generated image: the `size` (`WxH`) and `quality` it applies to, each absent for
 * "any". The most specific entry that matches an image wins (size and quality, then size, then quality,
 * then neither).
 */
const imagePriceInput = z.strictObject({
  size: z
    .string()
    .regex(/^\d{2,5}x\d{2,5}$/, 'is WIDTHxHEIGHT in pixels')
    .optional(),
  quality: z
    .string()
    .regex(/^[a-z]{1,16}$/, 'is a lower-case word (standard, hd, premium, low, medium, high)')
    .optional(),
  usd,
});
const perImageInput = z
  .array(imagePriceInput)
  .max(MAX_IMAGE_PRICES)
  .refine(
    (list) => new Set(list.map((p) => `${p.size ?? '*'}/${p.quality ?? '*'}`)).size === list.length,
    'per_image must not name the same size and quality twice',
  );

/** Prices in USD; each optional. A change appends to the history, past entries never change. */
export const pricingInput = z.strictObject({
  input_per_1m: usd.optional(),
  output_per_1m: usd.optional(),
  cached_input_per_1m: usd.optional(),
  /** Prompt tokens written to the provider's prompt cache (5-minute lifetime, OpenAI's writes). */
  cache_write_per_1m: usd.optional(),
  /** Prompt tokens written to the prompt cache with a 1-hour lifetime (Anthropic, Bedrock). */
  cache_write_1h_per_1m: usd.optional(),
  per_character: usd.optional(),
  per_second: usd.optional(),
  per_image: perImageInput.optional(),
  effective_from: isoDateTime.optional(),
});
export type PricingInput = z.infer<typeof pricingInput>;

export const pricing = z.object({
  input_per_1m: z.number().optional(),
  output_per_1m: z.number().optional(),
  cached_input_per_1m: z.number().optional(),
  cache_write_per_1m: z.number().optional(),
  cache_write_1h_per_1m: z.number().optional(),
  per_character: z.number().optional(),
  per_second: z.number().optional(),
  per_image: z
    .array(z.object({ size: z.string().optional(), quality: z.string().optional(), usd: z.number() }))
    .optional()
    .meta({ description: 'USD per generated image, by size and quality (absent: any).' }),
  effective_from: z.string(),
});
export type Pricing = z.infer<typeof pricing>;

const capabilities = z
  .array(z.enum(CAPABILITIES))
  .max(CAPABILITIES.length)
  .refine((list) => new Set(list).size === list.length, 'capabilities must not repeat');
const tokens = z.number().int().min(1).max(100_000_000);

export const modelCreate = z.strictObject({
  model_id: modelIdSchema,
  model_name: text(200).optional(),
  model_type: z.enum(MODEL_TYPES),
  context_window: tokens.optional(),
  max_output_tokens: tokens.optional(),
  capabilities: capabilities.optional(),
  pricing: pricingInput.optional(),
  deprecated_at: isoDateTime.nullable().optional(),
  is_active: z.boolean().optional(),
});
export type ModelCreate = z.infer<typeof modelCreate>;

export const modelPatch = z
  .strictObject({
    model_name: text(200).optional(),
    model_type: z.enum(MODEL_TYPES).optional(),
    context_window: tokens.nullable().optional(),
    max_output_tokens: tokens.nullable().optional(),
    capabilities: capabilities.optional(),
    pricing: pricingInput.optional(),
    deprecated_at: isoDateTime.nullable().optional(),
    is_active: z.boolean().optional(),
    version: expectedVersion,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change');
export type ModelPatch = z.infer<typeof modelPatch>;

export const model = z.object({
  provider_id: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  model_type: z.enum(MODEL_TYPES),
  context_window: z.number().int().nullable(),
  max_output_tokens: z.number().int().nullable(),
  capabilities: z.array(z.enum(CAPABILITIES)),
  pricing: pricing.nullable().meta({ description: 'The price in force now.' }),
  pricing_history: z.array(pricing),
  deprecated_at: z.string().nullable(),
  is_active: z.boolean(),
  owner_scope: ownerScope,
  ...systemFields,
});
export type Model = z.infer<typeof model>;

export const modelListQuery = z.strictObject({
  ...pageQuery,
  provider_id: z.string().max(64).optional(),
  model_type: z.enum(MODEL_TYPES).optional(),
  capability: z.enum(CAPABILITIES).optional(),
  q: z.string().trim().min(1).max(100).optional(),
});
export const modelPage = page(model);

/**
 * Request bodies of OpenAI's image generation (`POST /v1/images/generations`) and moderation
 * (`POST /v1/moderations`) endpoints, as the official SDK sends them. Behind the steering guard;
 * unknown fields are stripped. Which sizes, qualities and counts a model allows is checked by its
 * adapter (a size the model does not make is a 400 naming `size`).
 */
import * as z from 'zod';
import { refuseUpstreamSteering } from './steering.js';

/** Qualities across providers: OpenAI's (`standard`, `hd`, `low`, `medium`, `high`, `auto`). */
export const IMAGE_QUALITIES = ['standard', 'hd', 'low', 'medium', 'high', 'auto'] as const;

/** An image generation request body (OpenAI's). */
export const imageGenerationBody = z.object({
  model: z.string().min(1).max(256),
  prompt: z.string().min(1).max(32_000),
  n: z.number().int().min(1).max(10).optional(),
  size: z
    .string()
    .regex(/^(?:auto|\d{1,6}x\d{1,6})$/, 'is WIDTHxHEIGHT in pixels, or auto')
    .optional(),
  quality: z.enum(IMAGE_QUALITIES).optional(),
  response_format: z.enum(['url', 'b64_json']).optional(),
  style: z.enum(['vivid', 'natural']).optional(),
  background: z.enum(['transparent', 'opaque', 'auto']).optional(),
  output_format: z.enum(['png', 'jpeg', 'webp']).optional(),
  output_compression: z.number().int().min(0).max(100).optional(),
  moderation: z.enum(['low', 'auto']).optional(),
  /** Streamed partial images are not served: the answer is one JSON body. */
  stream: z.literal(false).optional(),
  user: z.string().max(256).optional(),
});
/** The route schema for `/v1/images/generations`. */
export const imageGenerationRequestSchema = refuseUpstreamSteering(imageGenerationBody);

const moderationPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(1_000_000) }),
  z.object({
    type: z.literal('image_url'),
    image_url: z.object({ url: z.string().min(1).max(20_000_000) }),
  }),
]);

/** A moderation request body (OpenAI's): text, texts, or text and image parts. */
export const moderationBody = z.object({
  model: z.string().min(1).max(256).optional(),
  input: z.union([
    z.string().min(1).max(1_000_000),
    z.array(z.string().min(1).max(1_000_000)).min(1).max(1000),
    z.array(moderationPart).min(1).max(100),
  ]),
});
/** The route schema for `/v1/moderations`. */
export const moderationRequestSchema = refuseUpstreamSteering(moderationBody);

/**
 * What every image adapter shares: reading `WxH` sizes, refusing a request a model cannot make (a
 * 400 naming the field, before any upstream call), reading the images an upstream returned (each a
 * base64 string or a URL, bounded), and the usage of a generation (images, with the size and quality
 * they were made at, which per-image prices are looked up by).
 */
import { BadRequestError } from '../errors.js';
import { badUpstreamResponse } from '../upstream/errors.js';
import type { GeneratedImage, ImageGenerationRequest } from './types.js';
import type { NormalizedUsage } from './usage.js';

/** A size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** Largest side of any image a provider makes, in pixels (Nova Canvas: 4096). */
export const MAX_IMAGE_SIDE = 4096;

/** Size when the caller names none (every provider's default). */
export const DEFAULT_IMAGE_SIZE = '1024x1024';

/** Most images one request may ask for (OpenAI's limit; Bedrock families allow fewer). */
export const MAX_IMAGES_PER_REQUEST = 10;

/** `WxH` as numbers; `undefined` for `auto` (the model chooses). */
export function parseImageSize(size: string): ImageSize | undefined {
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * A request a model cannot make: 400 `invalid_image_request`, with `details` naming the field.
 * Thrown before any upstream call, so no provider is charged and failover stops (it is the caller's
 * request, not the provider, that is wrong).
 */
export function imageRequestError(field: 'size' | 'n' | 'quality', message: string): BadRequestError {
  return new BadRequestError(`The image request is invalid: ${field} ${message}.`, {
    code: 'invalid_image_request',
    details: [{ field, message }],
  });
}

/**
 * The check every route makes before routing: a side above {@link MAX_IMAGE_SIDE} (or of 0 pixels)
 * no provider makes.
 *
 * @throws BadRequestError naming `size`.
 */
export function checkImageSizeBounds(request: ImageGenerationRequest): void {
  if (request.size === undefined) return;
  const size = parseImageSize(request.size);
  if (size === undefined) return;
  if (size.width < 1 || size.height < 1 || Math.max(size.width, size.height) > MAX_IMAGE_SIDE) {
    throw imageRequestError('size', `must be at most ${MAX_IMAGE_SIDE} pixels a side (got ${request.size})`);
  }
}

/** Refuses a size outside a model's list. @throws BadRequestError naming `size`. */
export function requireSizeIn(size: string, allowed: readonly string[], model: string): void {
  if (!allowed.includes(size)) {
    throw imageRequestError('size', `${size} is not a size ${model} makes (${allowed.join(', ')})`);
  }
}

/** Refuses more images than a model makes per request. @throws BadRequestError naming `n`. */
export function requireCountAtMost(n: number, most: number, model: string): void {
  if (n > most) throw imageRequestError('n', `must be at most ${most} for ${model}`);
}

/** Longest URL of a generated image accepted from an upstream. */
const MAX_IMAGE_URL_CHARS = 8192;

/**
 * One image as the upstream returned it: a base64 string (checked to be base64, not decoded) or an
 * http(s) URL; anything else makes the answer a `bad_upstream_response`.
 */
export function readGeneratedImage(
  value: { b64?: unknown; url?: unknown; revisedPrompt?: unknown },
  provider: string,
): GeneratedImage {
  const out: GeneratedImage = {};
  if (typeof value.b64 === 'string' && value.b64.length > 0) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value.b64))
      throw badUpstreamResponse(provider, `${provider} sent an image that is not base64`);
    out.b64_json = value.b64;
  } else if (typeof value.url === 'string' && value.url.length <= MAX_IMAGE_URL_CHARS) {
    if (!/^https?:\/\//i.test(value.url))
      throw badUpstreamResponse(provider, `${provider} sent an image URL that is not http(s)`);
    out.url = value.url;
  } else {
    throw badUpstreamResponse(provider, `${provider} sent an image without data or URL`);
  }
  if (typeof value.revisedPrompt === 'string') out.revised_prompt = value.revisedPrompt;
  return out;
}

/** Usage of a generation: `count` images of `size` at `quality`, plus tokens where billed by token. */
export function imageUsage(
  count: number,
  made: { size: string; quality: string },
  tokens: { input?: number; output?: number } = {},
): NormalizedUsage {
  return {
    input_tokens: tokens.input ?? 0,
    output_tokens: tokens.output ?? 0,
    cached_input_tokens: 0,
    images: count,
    image_size: made.size,
    image_quality: made.quality,
  };
}

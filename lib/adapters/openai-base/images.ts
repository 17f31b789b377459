/**
 * OpenAI image generation (`POST {base}/images/generations`) and moderation (`POST {base}/moderations`).
 *
 * Images, by model family (sizes checked before the call; a size the model does not make is a 400
 * naming `size`):
 *
 * | family | sizes | n | output | billed |
 * |---|---|---|---|---|
 * | `dall-e-2` | 256x256, 512x512, 1024x1024 | 1–10 | `url` (default) or `b64_json` | per image by size |
 * | `dall-e-3` | 1024x1024, 1792x1024, 1024x1792 | 1 | `url` (default) or `b64_json` | per image by size and quality |
 * | `gpt-image-*` | auto, 1024x1024, 1536x1024, 1024x1536 | 1–10 | always `b64_json` | by token (`usage`) |
 *
 * Other models are passed through unchecked. `response_format` is not sent to `gpt-image` models
 * (they refuse it and always answer base64).
 */
import {
  DEFAULT_IMAGE_SIZE,
  imageUsage,
  readGeneratedImage,
  requireCountAtMost,
  requireSizeIn,
} from '../../ai/generated-images.js';
import { arr, field, isObject, num, objects, path, str } from '../../ai/read.js';
import type {
  ImageGenerationRequest,
  ImagesResponse,
  ModerationRequest,
  ModerationResult,
} from '../../ai/types.js';
import { tokenCount } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, HttpWire, ImagesResult, ModerationResultSet } from '../contract.js';
import type { OpenAICompatibleOptions } from './options.js';
import { compact } from './request.js';

/** Largest image answer read, in bytes (ten 1536x1024 PNGs as base64 fit). */
export const MAX_IMAGES_RESPONSE_BYTES = 48 * 1024 * 1024;

type Family = 'dall-e-2' | 'dall-e-3' | 'gpt-image' | 'other';

const SIZES: Record<Exclude<Family, 'other'>, readonly string[]> = {
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'gpt-image': ['auto', '1024x1024', '1536x1024', '1024x1536'],
};

function familyOf(model: string): Family {
  if (model.startsWith('dall-e-2')) return 'dall-e-2';
  if (model.startsWith('dall-e-3')) return 'dall-e-3';
  if (model.startsWith('gpt-image') || model.startsWith('chatgpt-image')) return 'gpt-image';
  return 'other';
}

function checkRequest(model: string, family: Family, request: ImageGenerationRequest): void {
  if (family === 'other') return;
  if (request.size !== undefined) requireSizeIn(request.size, SIZES[family], model);
  if (family === 'dall-e-3') requireCountAtMost(request.n ?? 1, 1, model);
}

/** The quality an image was made at, for pricing: what the upstream says, else the family's default. */
function madeQuality(family: Family, request: ImageGenerationRequest, said: string | undefined): string {
  if (said !== undefined) return said;
  if (request.quality !== undefined && request.quality !== 'auto') return request.quality;
  return family === 'gpt-image' || family === 'other' ? 'auto' : 'standard';
}

function readImages(ctx: CallContext, body: unknown, request: ImageGenerationRequest): ImagesResult {
  const provider = ctx.provider.provider_type;
  const data = arr(field(body, 'data'));
  if (!isObject(body) || data === undefined || data.length === 0)
    throw badUpstreamResponse(provider, `${provider} sent an image answer without data`);
  const images = objects(data).map((item) =>
    readGeneratedImage({ b64: item.b64_json, url: item.url, revisedPrompt: item.revised_prompt }, provider),
  );
  const usageBody = field(body, 'usage');
  const input = tokenCount(path(usageBody, 'input_tokens'), 'input_tokens', provider);
  const output = tokenCount(path(usageBody, 'output_tokens'), 'output_tokens', provider);
  const family = familyOf(ctx.model);
  const size = str(body.size) ?? request.size ?? DEFAULT_IMAGE_SIZE;
  const quality = madeQuality(family, request, str(body.quality));
  const response: ImagesResponse = {
    created: num(body.created) ?? Math.floor(ctx.deps.now() / 1000),
    data: images,
    ...compact({
      size: str(body.size),
      quality: str(body.quality),
      background: str(body.background),
      output_format: str(body.output_format),
    }),
  };
  if (input !== undefined || output !== undefined) {
    response.usage = {
      input_tokens: input ?? 0,
      output_tokens: output ?? 0,
      total_tokens: (input ?? 0) + (output ?? 0),
    };
  }
  return { response, usage: imageUsage(images.length, { size, quality }, { input, output }) };
}

/** The image generation wire of an OpenAI-compatible host. */
export function imagesWire(options: OpenAICompatibleOptions): HttpWire<ImageGenerationRequest, ImagesResult> {
  return {
    request: (ctx, request) => {
      const family = familyOf(ctx.model);
      checkRequest(ctx.model, family, request);
      return {
        path: '/images/generations',
        query: options.query?.(ctx),
        maxResponseBytes: MAX_IMAGES_RESPONSE_BYTES,
        json: compact({
          model: ctx.model,
          prompt: request.prompt,
          n: request.n,
          size: request.size,
          quality: request.quality,
          response_format: family === 'gpt-image' ? undefined : request.response_format,
          style: request.style,
          background: request.background,
          output_format: request.output_format,
          output_compression: request.output_compression,
          moderation: request.moderation,
          user: request.user,
        }),
      };
    },
    response: (ctx, body, _headers, request) => readImages(ctx, body, request),
  };
}

function booleans(value: unknown): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (isObject(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'boolean') out[k] = v;
  return out;
}

function scores(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const n = num(v);
      if (n !== undefined && n >= 0 && n <= 1) out[k] = n;
    }
  }
  return out;
}

function inputTypes(value: unknown): Record<string, string[]> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value)) {
    const list = arr(v)?.filter((t): t is string => typeof t === 'string');
    if (list !== undefined) out[k] = list;
  }
  return out;
}

/** One moderation result, rebuilt field by field. */
export function readModerationResult(item: unknown, provider: string): ModerationResult {
  const flagged = field(item, 'flagged');
  if (typeof flagged !== 'boolean')
    throw badUpstreamResponse(provider, `${provider} sent a moderation result without a verdict`);
  const applied = inputTypes(field(item, 'category_applied_input_types'));
  return {
    flagged,
    categories: booleans(field(item, 'categories')),
    category_scores: scores(field(item, 'category_scores')),
    ...(applied === undefined ? {} : { category_applied_input_types: applied }),
  };
}

/** The moderation wire of an OpenAI-compatible host (moderation is free: no usage is reported). */
export function moderationWire(
  options: OpenAICompatibleOptions,
): HttpWire<ModerationRequest, ModerationResultSet> {
  return {
    request: (ctx, request) => ({
      path: '/moderations',
      query: options.query?.(ctx),
      json: { model: ctx.model, input: request.input },
    }),
    response: (ctx, body) => {
      const provider = ctx.provider.provider_type;
      const results = arr(field(body, 'results'));
      if (results === undefined || results.length === 0)
        throw badUpstreamResponse(provider, `${provider} sent a moderation answer without results`);
      return {
        response: {
          id: str(field(body, 'id')) ?? `modr-${ctx.deps.now().toString(36)}`,
          model: str(field(body, 'model')) ?? ctx.model,
          results: results.map((item) => readModerationResult(item, provider)),
        },
        usage: null,
      };
    },
  };
}

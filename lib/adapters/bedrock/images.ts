/**
 * Bedrock image generation through InvokeModel, by model family (an inference-profile prefix such as
 * `us.` is ignored). Bedrock answers images as base64 only, so the answer always carries `b64_json`.
 *
 * | family | model ids | body | sizes | n | quality |
 * |---|---|---|---|---|---|
 * | Nova Canvas | `amazon.nova-canvas-*` | `TEXT_IMAGE` | 320–4096 a side, multiples of 16, ratio ≤ 4:1, ≤ 4,194,304 px | 1–5 | `standard`, `premium` (`hd`/`high`) |
 * | Titan Image | `amazon.titan-image-generator-*` | `TEXT_IMAGE` | the fixed list below | 1–5 | `standard`, `premium` (`hd`/`high`) |
 * | Stability | `stability.*` | `{prompt, aspect_ratio, output_format}` | the sizes of its aspect ratios | 1–4 (one call each) | — (`standard`) |
 *
 * Usage is the number of images with the size and quality they were made at (priced per image).
 */
import {
  DEFAULT_IMAGE_SIZE,
  type ImageSize,
  imageRequestError,
  imageUsage,
  parseImageSize,
  readGeneratedImage,
  requireCountAtMost,
  requireSizeIn,
} from '../../ai/generated-images.js';
import { arr, field, str } from '../../ai/read.js';
import type { GeneratedImage, ImageGenerationRequest } from '../../ai/types.js';
import {
  badUpstreamResponse,
  invalidRequest,
  sanitizeUpstreamText,
  unsupported,
} from '../../upstream/errors.js';
import type { CallContext, ImagesResult } from '../contract.js';
import { bareModelId, invokeModelJson, withBudget } from './invoke-model.js';

const PROVIDER = 'bedrock';
const MAX_ANSWER_BYTES = 48 * 1024 * 1024;

/** Titan Image Generator's sizes (width x height). */
const TITAN_SIZES = [
  '1024x1024',
  '768x768',
  '512x512',
  '768x1152',
  '384x576',
  '1152x768',
  '576x384',
  '768x1280',
  '384x640',
  '1280x768',
  '640x384',
  '896x1152',
  '448x576',
  '1152x896',
  '576x448',
  '768x1408',
  '384x704',
  '1408x768',
  '704x384',
  '640x1408',
  '320x704',
  '1408x640',
  '704x320',
  '1152x640',
  '1173x640',
];

/** Stability's output size of each aspect ratio it accepts. */
const STABILITY_RATIOS: Record<string, string> = {
  '1024x1024': '1:1',
  '1344x768': '16:9',
  '768x1344': '9:16',
  '1536x640': '21:9',
  '640x1536': '9:21',
  '1216x832': '3:2',
  '832x1216': '2:3',
  '1088x896': '5:4',
  '896x1088': '4:5',
};

type Family = 'nova' | 'titan' | 'stability';

/** The image family of a Bedrock model id, or `undefined` for models that make no images. */
export function imageFamily(modelId: string): Family | undefined {
  const bare = bareModelId(modelId);
  if (bare.startsWith('amazon.nova-canvas')) return 'nova';
  if (bare.startsWith('amazon.titan-image-generator')) return 'titan';
  if (bare.startsWith('stability.')) return 'stability';
  return undefined;
}

function checkNovaSize(size: ImageSize, text: string, model: string): void {
  const { width, height } = size;
  const fits =
    width >= 320 &&
    height >= 320 &&
    width <= 4096 &&
    height <= 4096 &&
    width % 16 === 0 &&
    height % 16 === 0 &&
    Math.max(width, height) <= 4 * Math.min(width, height) &&
    width * height <= 4_194_304;
  if (!fits) {
    throw imageRequestError(
      'size',
      `${text} is not a size ${model} makes (320–4096 a side, multiples of 16, at most 4:1 and 4,194,304 pixels)`,
    );
  }
}

const bedrockQuality = (request: ImageGenerationRequest) =>
  request.quality === 'hd' || request.quality === 'high' ? 'premium' : 'standard';

/** Nova Canvas and Titan: one `TEXT_IMAGE` call for all images. */
async function textImage(ctx: CallContext, request: ImageGenerationRequest, family: 'nova' | 'titan') {
  const size = request.size === undefined || request.size === 'auto' ? DEFAULT_IMAGE_SIZE : request.size;
  if (family === 'titan') requireSizeIn(size, TITAN_SIZES, ctx.model);
  else checkNovaSize(parseImageSize(size) ?? { width: 0, height: 0 }, size, ctx.model);
  const n = request.n ?? 1;
  requireCountAtMost(n, 5, ctx.model);
  const { width, height } = parseImageSize(size) ?? { width: 1024, height: 1024 };
  const quality = bedrockQuality(request);
  const body = {
    taskType: 'TEXT_IMAGE',
    textToImageParams: { text: request.prompt },
    imageGenerationConfig: { numberOfImages: n, quality, width, height },
  };
  const answer = await withBudget(ctx, (signal) =>
    invokeModelJson(ctx, body, { signal, maxBytes: MAX_ANSWER_BYTES }),
  );
  const images = (arr(field(answer.body, 'images')) ?? []).map((b64) =>
    readGeneratedImage({ b64 }, PROVIDER),
  );
  if (images.length === 0) {
    const reason = str(field(answer.body, 'error'));
    throw reason === undefined
      ? badUpstreamResponse(PROVIDER, 'bedrock answered without images')
      : invalidRequest(PROVIDER, `bedrock made no image: ${sanitizeUpstreamText(reason)}`);
  }
  return { images, size, quality };
}

/** Stability: one call per image, in parallel (its API makes one image per call). */
async function stability(ctx: CallContext, request: ImageGenerationRequest) {
  const size = request.size === undefined || request.size === 'auto' ? DEFAULT_IMAGE_SIZE : request.size;
  requireSizeIn(size, Object.keys(STABILITY_RATIOS), ctx.model);
  const n = request.n ?? 1;
  requireCountAtMost(n, 4, ctx.model);
  const body = {
    prompt: request.prompt,
    aspect_ratio: STABILITY_RATIOS[size],
    output_format: request.output_format ?? 'png',
  };
  const answers = await withBudget(ctx, (signal) =>
    Promise.all(
      Array.from({ length: n }, () => invokeModelJson(ctx, body, { signal, maxBytes: MAX_ANSWER_BYTES })),
    ),
  );
  const images: GeneratedImage[] = [];
  for (const answer of answers) {
    const filtered = str(arr(field(answer.body, 'finish_reasons'))?.[0]);
    if (filtered !== undefined)
      throw invalidRequest(PROVIDER, `bedrock made no image: ${sanitizeUpstreamText(filtered)}`);
    const b64 = arr(field(answer.body, 'images'))?.[0];
    images.push(readGeneratedImage({ b64 }, PROVIDER));
  }
  return { images, size, quality: 'standard' };
}

/** Image generation on Bedrock (answered as base64). */
export async function bedrockImages(
  ctx: CallContext,
  request: ImageGenerationRequest,
): Promise<ImagesResult> {
  const family = imageFamily(ctx.model);
  if (family === undefined)
    throw unsupported(
      PROVIDER,
      `bedrock makes images with Nova Canvas, Titan Image and Stability, not ${ctx.model}`,
    );
  const made = family === 'stability' ? await stability(ctx, request) : await textImage(ctx, request, family);
  const response = {
    created: Math.floor(ctx.deps.now() / 1000),
    data: made.images,
    size: made.size,
    quality: made.quality,
  };
  return { response, usage: imageUsage(made.images.length, made) };
}

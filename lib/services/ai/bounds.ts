/**
 * Upper bounds of what one AI call can consume, taken before it is made: strict quota holds and
 * tokens-per-minute admissions are charged at these, then settled to what the provider reported.
 * Each bound is a ceiling, never an estimate (docs/usage-and-quotas.md, "What a hold covers"):
 *
 * | part | bound |
 * |---|---|
 * | prompt text (messages, system, tool definitions, with their keys) | its UTF-8 bytes: a byte-level BPE token is at least one byte |
 * | format framing | {@link FRAME_TOKENS} per message or tool, plus the reply's priming |
 * | token-id inputs (integer arrays) | their length |
 * | input images | the OpenAI rule of the model (`lib/ai/token-count`); other models the larger of gpt-4o's rule and Anthropic's ~1,600-token ceiling |
 * | output | `n` × `max_tokens` (or the catalog's `max_output_tokens`, else {@link DEFAULT_MAX_OUTPUT_TOKENS}) |
 * | speech | the input's characters |
 * | transcription | seconds from the upload: a WAV's header byte rate, else {@link MIN_AUDIO_BYTES_PER_SECOND} |
 * | image generation | `n` images at the size and quality asked (priced by `reservationAmount`), and for token-billed image models {@link IMAGE_OUTPUT_TOKENS} per image |
 */
import type { ImageSize } from '../../ai/generated-images.js';
import { imageDimensions } from '../../ai/token-count/image-dimensions.js';
import { imageRule, openAIImageTokens } from '../../ai/token-count/openai-image-tokens.js';
import type { ChatCompletionRequest } from '../../ai/types.js';
import { MAX_AUDIO_SECONDS } from '../../ai/usage.js';
import type { ExpectedImages } from '../quotas/index.js';
import { DEFAULT_MAX_OUTPUT_TOKENS } from './needs.js';

/** Tokens of chat framing per message or tool definition (role markers, separators): generous. */
export const FRAME_TOKENS = 8;
/** The most tokens a model outside OpenAI's published rules charges for one image (Anthropic: ~1.15 MP / 750). */
export const OTHER_IMAGE_TOKENS = 1_600;
/**
 * The lowest bitrate an audio upload can have, in bytes per second (6 kbit/s, Opus's floor): the
 * longest a compressed file of a given size can play, hence its billable seconds' ceiling.
 */
export const MIN_AUDIO_BYTES_PER_SECOND = 750;

/**
 * Output tokens of one generated image on a token-billed image model: OpenAI's largest (gpt-image-1,
 * high quality, 1536×1024 or 1024×1536: 6,240).
 */
export const IMAGE_OUTPUT_TOKENS = 6_240;

/** An input image: its pixel size when inline (read from its header), and the part's `detail`. */
export interface ImageInput {
  size: ImageSize | undefined;
  detail: string | undefined;
}

/** The request's shape as far as cost goes: what the bound of each part is computed from. */
export interface CallShape {
  /** UTF-8 bytes of the text the provider tokenizes. */
  textBytes: number;
  /** Messages and tool definitions, each framed by a few tokens. */
  frames: number;
  /** Integer token ids given as input (each is one token). */
  tokenIds: number;
  images: ImageInput[];
  /** Choices asked for (`n`), each up to `maxOutputTokens`. */
  choices: number;
  /** The caller's output limit per choice, or `undefined` for the model's own. */
  maxOutputTokens: number | undefined;
  /** Characters to synthesise (speech). */
  characters?: number;
  /** Most seconds of audio to transcribe. */
  audioSeconds?: number;
  /** Images to generate. */
  generated?: ExpectedImages;
}

/** The catalog facts a bound needs about the model that will serve. */
export interface ModelFacts {
  modelId: string;
  maxOutputTokens?: number | null | undefined;
}

/** The most one call can consume on one model: the quantities its cost and token charges are taken at. */
export interface CallBound {
  inputTokens: number;
  outputTokens: number;
  characters?: number;
  audioSeconds?: number;
  images?: ExpectedImages;
}

const EMPTY: CallShape = { textBytes: 0, frames: 0, tokenIds: 0, images: [], choices: 1, maxOutputTokens: 0 };

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,/i;

/**
 * The pixel size of an inline image from its header alone; `undefined` for a remote URL or an
 * unreadable header (then held at the most its model charges). The payload is neither validated nor
 * decoded here (the adapters do that): a bound must cost nothing that grows with the image.
 */
function inlineImageSize(url: string): ImageSize | undefined {
  const match = DATA_URL.exec(url);
  if (!match) return undefined;
  const mediaType = (match[1] ?? '').toLowerCase().replace('image/jpg', 'image/jpeg');
  return imageDimensions(mediaType, url.slice(match[0].length));
}

/** Walks a request value: text bytes (keys included), integer token ids, image parts (whose payload is not text). */
function measure(value: unknown, shape: CallShape): void {
  if (typeof value === 'string') shape.textBytes += Buffer.byteLength(value, 'utf8');
  else if (typeof value === 'number') shape.tokenIds += Number.isInteger(value) ? 1 : 0;
  else if (Array.isArray(value)) for (const v of value) measure(v, shape);
  else if (value && typeof value === 'object') {
    const part = value as { type?: unknown; image_url?: { url?: unknown; detail?: unknown } };
    if (part.type === 'image_url' && typeof part.image_url?.url === 'string') {
      const size = inlineImageSize(part.image_url.url);
      const detail = typeof part.image_url.detail === 'string' ? part.image_url.detail : undefined;
      shape.images.push({ size, detail });
      return;
    }
    // Keys too: a provider renders tool and schema property names into the prompt.
    for (const [k, v] of Object.entries(value)) {
      shape.textBytes += Buffer.byteLength(k, 'utf8');
      measure(v, shape);
    }
  }
}

/** The shape of any input value (embeddings, moderation, rerank, a prompt): text, token ids, images. */
export function inputShape(input: unknown, extra: Partial<CallShape> = {}): CallShape {
  const shape: CallShape = { ...EMPTY, images: [], ...extra };
  measure(input, shape);
  return shape;
}

/**
 * The shape of a chat request (also the canonical form of `/v1/messages` and `/v1/responses`):
 * messages and tools framed, `n` choices of `max_completion_tokens ?? max_tokens` each.
 */
export function chatShape(request: ChatCompletionRequest): CallShape {
  const shape = inputShape([request.messages, request.tools ?? []], {
    frames: request.messages.length + (request.tools?.length ?? 0) + 1,
    choices: request.n ?? 1,
    maxOutputTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
  });
  // Structured-output schemas and stop sequences are text the provider reads too.
  measure([request.response_format ?? null, request.stop ?? null], shape);
  return shape;
}

/** The shape of a speech request: billed by its input's characters (code points). */
export function speechShape(input: string): CallShape {
  return inputShape(input, { characters: [...input].length });
}

/**
 * The most seconds an upload can play: a WAV's data at its header's byte rate; any other format at
 * {@link MIN_AUDIO_BYTES_PER_SECOND}; never above what usage accepts from a provider.
 */
export function audioSecondsBound(data: Uint8Array): number {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let perSecond = MIN_AUDIO_BYTES_PER_SECOND;
  if (
    bytes.length >= 44 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WAVE'
  ) {
    const byteRate = bytes.readUInt32LE(28);
    // A header naming a rate below the floor is not trusted to lengthen the bound.
    if (byteRate > perSecond) perSecond = byteRate;
  }
  return Math.min(MAX_AUDIO_SECONDS, Math.ceil(bytes.length / perSecond));
}

/** The shape of a transcription request: the prompt's text and the upload's longest duration. */
export function transcriptionShape(prompt: string | undefined, file: Uint8Array): CallShape {
  return inputShape(prompt ?? '', { audioSeconds: audioSecondsBound(file) });
}

/** The shape of an image generation: its prompt, and `n` images of up to {@link IMAGE_OUTPUT_TOKENS} each. */
export function imageGenerationShape(prompt: string, generated: ExpectedImages): CallShape {
  return inputShape(prompt, {
    frames: 1,
    choices: generated.images,
    maxOutputTokens: IMAGE_OUTPUT_TOKENS,
    generated,
  });
}

/** The tokens one input image can cost on `modelId`. */
export function imageTokenBound(modelId: string, image: ImageInput): number {
  const own = openAIImageTokens(modelId, image.size, image.detail);
  return imageRule(modelId).known ? own : Math.max(own, OTHER_IMAGE_TOKENS);
}

/** The bound of a call of `shape` on `model`: every part at its ceiling (see the module comment). */
export function callBound(shape: CallShape, model: ModelFacts): CallBound {
  let imageTokens = 0;
  for (const image of shape.images) imageTokens += imageTokenBound(model.modelId, image);
  const perChoice = shape.maxOutputTokens ?? model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  return {
    inputTokens: shape.textBytes + shape.tokenIds + imageTokens + shape.frames * FRAME_TOKENS,
    outputTokens: shape.choices * perChoice,
    ...(shape.characters === undefined ? {} : { characters: shape.characters }),
    ...(shape.audioSeconds === undefined ? {} : { audioSeconds: shape.audioSeconds }),
    ...(shape.generated ? { images: shape.generated } : {}),
  };
}

/** Tokens a call of `shape` can consume on `model` (prompt + every choice's output): its TPM charge. */
export function tokenBound(shape: CallShape, model: ModelFacts): number {
  const bound = callBound(shape, model);
  return bound.inputTokens + bound.outputTokens;
}

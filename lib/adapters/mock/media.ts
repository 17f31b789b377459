/**
 * The mock's image generation and moderation: in-process and deterministic. Images are a 1×1 PNG
 * (base64, one per `n`), reported at the requested size and quality so per-image prices apply as
 * for a real model; moderation flags an input containing `[flag]` (category `harassment`) and
 * nothing else.
 */
import { DEFAULT_IMAGE_SIZE, imageUsage } from '../../ai/generated-images.js';
import type {
  ImageGenerationRequest,
  ModerationRequest,
  ModerationResponse,
  ModerationResult,
} from '../../ai/types.js';
import type { CallContext, ImagesResult, ModerationResultSet } from '../contract.js';
import { mockBehaviour, mockPrelude } from './behaviour.js';

/** A 1×1 transparent PNG. */
export const MOCK_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const CATEGORIES = ['harassment', 'hate', 'self-harm', 'sexual', 'violence'] as const;

/** Generated "images" (marked as mock by the prompt echoed in `revised_prompt`). */
export async function mockImages(ctx: CallContext, request: ImageGenerationRequest): Promise<ImagesResult> {
  await mockPrelude(ctx, mockBehaviour(ctx.provider.metadata));
  const size = request.size === undefined || request.size === 'auto' ? DEFAULT_IMAGE_SIZE : request.size;
  const quality = request.quality === undefined || request.quality === 'auto' ? 'standard' : request.quality;
  const count = request.n ?? 1;
  const data = Array.from({ length: count }, () => ({
    b64_json: MOCK_PNG_BASE64,
    revised_prompt: `[mock] ${request.prompt.slice(0, 200)}`,
  }));
  return {
    response: { created: Math.floor(ctx.deps.now() / 1000), data, size, quality },
    usage: imageUsage(count, { size, quality }),
  };
}

function verdict(text: string, types: string[]): ModerationResult {
  const flagged = text.includes('[flag]');
  const categories: Record<string, boolean> = {};
  const scores: Record<string, number> = {};
  const applied: Record<string, string[]> = {};
  for (const name of CATEGORIES) {
    const hit = flagged && name === 'harassment';
    categories[name] = hit;
    scores[name] = hit ? 0.99 : 0.001;
    applied[name] = hit ? types : [];
  }
  return { flagged, categories, category_scores: scores, category_applied_input_types: applied };
}

/** Moderation: one verdict per string, or one for a list of parts (as OpenAI answers). */
export async function mockModeration(
  ctx: CallContext,
  request: ModerationRequest,
): Promise<ModerationResultSet> {
  await mockPrelude(ctx, mockBehaviour(ctx.provider.metadata));
  const input = request.input;
  let results: ModerationResult[];
  if (typeof input === 'string') results = [verdict(input, ['text'])];
  else if (input.every((item): item is string => typeof item === 'string'))
    results = input.map((text) => verdict(text, ['text']));
  else {
    const parts = input as Exclude<typeof input, string | string[]>;
    const text = parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
    const types = [...new Set(parts.map((p) => (p.type === 'text' ? 'text' : 'image')))];
    results = [verdict(text, types)];
  }
  const response: ModerationResponse = {
    id: `modr-mock-${ctx.deps.now().toString(36)}`,
    model: ctx.model,
    results,
  };
  return { response, usage: null };
}

/**
 * Property: for any request shape and any prices, what a strict quota holds before the call is
 * never below what the call can settle at afterwards. Shapes: chats of any text (ASCII, CJK, emoji,
 * lone code points), `n`, `max_tokens` or the model's own limit, tools, inline images of any size
 * and remote ones, on OpenAI models (counted by their published rules with the real tokenizer) and
 * others (Anthropic's image rule); token-id and text embeddings; speech by characters;
 * transcriptions of WAV and compressed uploads; image generation. A settled call may split its
 * prompt into cached, 5-minute and 1-hour cache writes however it likes, and use any output up
 * to every choice's limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countOpenAIPrompt } from '../../../lib/ai/token-count/openai-count.js';
import type { ChatCompletionRequest } from '../../../lib/ai/types.js';
import {
  audioSecondsBound,
  type CallShape,
  callBound,
  chatShape,
  inputShape,
  speechShape,
  transcriptionShape,
} from '../../../lib/services/ai/bounds.js';
import { holdAmount } from '../../../lib/services/quotas/index.js';
import { costOf, type UsageQuantities } from '../../../lib/services/usage/cost.js';
import { pngBase64 } from '../../support/images.js';

type Pricing = Parameters<typeof costOf>[0];

const price = fc.option(
  fc.integer({ min: 0, max: 200_000 }).map((v) => v / 1000),
  { nil: undefined },
);
const pricing: fc.Arbitrary<NonNullable<Pricing>> = fc.record({
  input_per_1m: price,
  cached_input_per_1m: price,
  cache_write_per_1m: price,
  cache_write_1h_per_1m: price,
  output_per_1m: price,
  per_character: fc.option(
    fc.integer({ min: 1, max: 100 }).map((v) => v / 1_000_000),
    { nil: undefined },
  ),
  per_second: fc.option(
    fc.integer({ min: 1, max: 1000 }).map((v) => v / 100_000),
    { nil: undefined },
  ),
  per_image: fc.option(
    fc.array(
      fc.record({
        size: fc.option(fc.constantFrom('1024x1024', '512x512', '1792x1024'), { nil: undefined }),
        quality: fc.option(fc.constantFrom('standard', 'hd', 'high'), { nil: undefined }),
        usd: fc.integer({ min: 1, max: 200 }).map((v) => v / 1000),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    { nil: undefined },
  ),
  effective_from: fc.constant('2026-01-01T00:00:00Z'),
}) as never;

const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.constantFrom('你好，世界。'.repeat(20), '🙂👍🏽🚀'.repeat(15), ' '.repeat(300), 'a\u0301'.repeat(50)),
);

/** A PNG header of the given size, as a data URL (the gateway reads the size from it). */
const pngUrl = (width: number, height: number) => `data:image/png;base64,${pngBase64(width, height, 33)}`;

const imagePart = fc.record({
  url: fc.oneof(
    fc
      .tuple(fc.integer({ min: 1, max: 8000 }), fc.integer({ min: 1, max: 8000 }))
      .map(([w, h]) => pngUrl(w, h)),
    fc.constant('https://example.com/cat.png'),
  ),
  detail: fc.option(fc.constantFrom('low', 'high', 'auto'), { nil: undefined }),
});

const message = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'system', 'assistant'), content: text }),
  fc.record({
    role: fc.constant('user'),
    content: fc.array(
      fc.oneof(
        text.map((t) => ({ type: 'text', text: t })),
        imagePart.map((i) => ({
          type: 'image_url',
          image_url: i.detail ? { url: i.url, detail: i.detail } : { url: i.url },
        })),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  }),
);

const tool = fc.record({
  type: fc.constant('function'),
  function: fc.record({
    name: fc.stringMatching(/^[a-z_]{1,20}$/),
    description: fc.option(text, { nil: undefined }),
    parameters: fc
      .dictionary(fc.stringMatching(/^[a-z]{1,12}$/), fc.constant({ type: 'string' }), {
        maxKeys: 6,
      })
      .map((properties) => ({ type: 'object', properties })),
  }),
});

const chatRequest = fc.record({
  model: fc.constant('m'),
  messages: fc.array(message, { minLength: 1, maxLength: 5 }),
  n: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  max_tokens: fc.option(fc.integer({ min: 1, max: 8192 }), { nil: undefined }),
  tools: fc.option(fc.array(tool, { minLength: 1, maxLength: 3 }), { nil: undefined }),
}) as unknown as fc.Arbitrary<ChatCompletionRequest>;

const OPENAI_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-nano', 'o3'];
const OTHER_MODELS = ['claude-sonnet-4', 'llama-3.1-70b'];

/** Anthropic's rule for an image: about (w × h) / 750 tokens after fitting 1.15 MP; ≤ 1,600. */
function otherImageTokens(url: string): number {
  if (!url.startsWith('data:')) return 1600;
  const b = Buffer.from(url.split(',')[1]!, 'base64');
  const pixels = Math.min(b.readUInt32BE(16) * b.readUInt32BE(20), 1_150_000);
  return Math.min(1600, Math.ceil(pixels / 750));
}

/** Input tokens a provider can bill for a chat: OpenAI's count, or the same text count with other image rules. */
async function billedInput(request: ChatCompletionRequest, model: string): Promise<number> {
  if (OPENAI_MODELS.includes(model)) return (await countOpenAIPrompt(request, model)).tokens;
  const withoutImages = {
    ...request,
    messages: request.messages.map((m) =>
      Array.isArray(m.content) ? { ...m, content: m.content.filter((p) => p.type !== 'image_url') } : m,
    ),
  } as ChatCompletionRequest;
  let images = 0;
  for (const m of request.messages)
    if (Array.isArray(m.content))
      for (const p of m.content) if (p.type === 'image_url') images += otherImageTokens(p.image_url.url);
  return (await countOpenAIPrompt(withoutImages, 'gpt-4o')).tokens + images;
}

/** Any split of `input` prompt tokens into plain, cached, 5-minute and 1-hour cache writes. */
const split = fc.tuple(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

function settled(input: number, output: number, [a, b, c]: [number, number, number]): UsageQuantities {
  const cached = Math.floor(input * a);
  const written = Math.floor((input - cached) * b);
  return {
    input_tokens: input,
    output_tokens: output,
    cached_input_tokens: cached,
    cache_write_tokens: written,
    cache_write_1h_tokens: Math.floor(written * c),
  };
}

function expectHoldCovers(p: Pricing, shape: CallShape, model: string, actual: UsageQuantities) {
  const bound = callBound(shape, { modelId: model });
  const hold = holdAmount(p, {
    inputTokens: bound.inputTokens,
    maxOutputTokens: bound.outputTokens,
    images: bound.images,
    characters: bound.characters,
    audioSeconds: bound.audioSeconds,
  });
  expect(hold.costNanos).toBeGreaterThanOrEqual(costOf(p, actual).nanos);
  expect(hold.tokens).toBeGreaterThanOrEqual(actual.input_tokens + actual.output_tokens);
}

describe('strict holds bound the settled cost from above, for any shape', () => {
  it('chats: any text, n, max_tokens, tools and images, on any model', async () => {
    await fc.assert(
      fc.asyncProperty(
        chatRequest,
        fc.constantFrom(...OPENAI_MODELS, ...OTHER_MODELS),
        pricing,
        fc.double({ min: 0, max: 1, noNaN: true }),
        split,
        async (request, model, p, used, parts) => {
          const shape = chatShape(request);
          const perChoice = request.max_tokens ?? 4096;
          const output = Math.floor((request.n ?? 1) * perChoice * used);
          expectHoldCovers(p, shape, model, settled(await billedInput(request, model), output, parts));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('embeddings: token-id arrays count their length, text its tokens', () => {
    const item = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 3000 }),
      text,
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), pricing, (inputs, p) => {
        const input = inputs.length === 1 ? inputs[0] : inputs;
        const shape = inputShape(input, { frames: inputs.length });
        // A provider counts each id once, each text byte at most once, and may add 2 tokens per input.
        const tokens = inputs.reduce<number>(
          (sum, i) => sum + 2 + (Array.isArray(i) ? i.length : Buffer.byteLength(i, 'utf8')),
          0,
        );
        expectHoldCovers(p, shape, 'text-embedding-3-small', settled(tokens, 0, [0, 0, 0]));
      }),
      { numRuns: 300 },
    );
  });

  it('speech: every character of the input', () => {
    fc.assert(
      fc.property(text, pricing, (input, p) => {
        const actual = { ...settled(0, 0, [0, 0, 0]), characters: [...input].length };
        expectHoldCovers(p, speechShape(input), 'tts-1', actual);
      }),
      { numRuns: 300 },
    );
  });

  it('transcription: no upload plays longer than its bound, WAV or compressed', () => {
    const upload = fc.oneof(
      // A WAV: header byte rate from 8 kHz mono 8-bit to 48 kHz stereo 24-bit; data after it.
      fc
        .tuple(fc.constantFrom(8_000, 16_000, 32_000, 96_000, 288_000), fc.integer({ min: 44, max: 500_000 }))
        .map(([rate, size]) => {
          const b = Buffer.alloc(size);
          b.write('RIFF', 0, 'latin1');
          b.write('WAVE', 8, 'latin1');
          b.writeUInt32LE(rate, 28);
          return { data: b, seconds: (size - 44) / rate };
        }),
      // Compressed audio at any bitrate from Opus's 6 kbit/s floor.
      fc
        .tuple(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 750, max: 40_000 }))
        .map(([size, rate]) => ({ data: new Uint8Array(size), seconds: size / rate })),
    );
    fc.assert(
      fc.property(upload, pricing, fc.option(text, { nil: undefined }), ({ data, seconds }, p, prompt) => {
        expect(audioSecondsBound(data)).toBeGreaterThanOrEqual(Math.ceil(seconds));
        const actual = { ...settled(0, 0, [0, 0, 0]), audio_seconds: Math.ceil(seconds) };
        expectHoldCovers(p, transcriptionShape(prompt, data), 'whisper-1', actual);
      }),
      { numRuns: 300 },
    );
  });

  it('image generation: n images at their per-image price, and their tokens', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('1024x1024', '512x512', '1792x1024', '256x256'),
        fc.constantFrom('standard', 'hd', 'high', 'medium'),
        fc.integer({ min: 0, max: 6240 }),
        pricing,
        (n, size, quality, tokensPerImage, p) => {
          const generated = { images: n, image_size: size, image_quality: quality };
          const shape = inputShape('a cat', { frames: 1, choices: n, maxOutputTokens: 6240, generated });
          const actual = { ...settled(3, n * tokensPerImage, [0, 0, 0]), ...generated };
          expectHoldCovers(p, shape, 'dall-e-3', actual);
        },
      ),
      { numRuns: 300 },
    );
  });
});

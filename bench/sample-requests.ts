/**
 * The chat requests the CPU benchmarks measure: `short` (one user message), `chat` (a system prompt,
 * 20 turns of ~60 words and two tools, about 2,000 tokens) and `image` (one user message with a
 * 1024×1024 PNG whose header is real and whose 1.5 MB of base64 is padding).
 */
import type { ChatCompletionRequest } from '../lib/ai/types.js';
import { pngBase64 } from '../test/support/images.js';

/** A PNG header of `width` × `height` padded to `bytes`, as base64 (the tests' helper). */
export const png = (width: number, height: number, bytes: number) => pngBase64(width, height, bytes);

const words = 'the quick brown fox jumps over the lazy dog while counting tokens for a budget '.repeat(4);
const tool = (name: string) => ({
  type: 'function' as const,
  function: {
    name,
    description: `Does ${name}`,
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } },
  },
});

export const SAMPLE_REQUESTS: Record<'short' | 'chat' | 'image', ChatCompletionRequest> = {
  short: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello world' }] },
  chat: {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are a careful assistant.' },
      ...Array.from({ length: 20 }, (_, i) => ({
        role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
        content: `${i}: ${words}`,
      })),
    ],
    tools: [tool('get_weather'), tool('get_forecast')],
  },
  image: {
    model: 'gpt-4o',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png(1024, 1024, 1_500_000)}` } },
        ],
      },
    ],
  },
};

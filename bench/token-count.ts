/**
 * Cost of a local token count (`POST /v1/messages/count_tokens` for OpenAI models and the
 * estimates): the tokenizer's first load in a fresh process, then the CPU per count of three
 * requests, measured in this process. Benchmark aid, not part of `npm test`.
 *
 *   npx esbuild bench/token-count.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=dist/bench/token-count.mjs && node dist/bench/token-count.mjs [--counts 2000]
 *
 * Bundled as the functions are: under `tsx` every `import()` of the (already loaded) tokenizer goes
 * through tsx's loader and adds about a millisecond per count that Lambda never pays.
 *
 * `short` is one user message ("hello world"); `chat` a system prompt, 20 turns of ~60 words and
 * two tools (about 2,000 tokens); `image` one user message with a 1024x1024 PNG (its header read
 * from the base64, the rest never decoded; 2 MB of base64).
 */
import { performance } from 'node:perf_hooks';
import { countOpenAIPrompt } from '../lib/ai/token-count/openai-count.js';
import type { ChatCompletionRequest } from '../lib/ai/types.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const COUNTS = Number(arg('counts', '2000'));

function png(width: number, height: number, bytes: number): string {
  const b = Buffer.alloc(bytes);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b.toString('base64');
}

const words = 'the quick brown fox jumps over the lazy dog while counting tokens for a budget '.repeat(4);
const tool = (name: string) => ({
  type: 'function' as const,
  function: {
    name,
    description: `Does ${name}`,
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } },
  },
});
const REQUESTS: Record<string, ChatCompletionRequest> = {
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

const started = performance.now();
const first = await countOpenAIPrompt(REQUESTS.short!, 'gpt-4o');
const firstMs = performance.now() - started;
console.log(`first count (loads o200k_base): ${firstMs.toFixed(0)} ms → ${first.tokens} tokens`);
for (const [name, request] of Object.entries(REQUESTS)) {
  const { tokens } = await countOpenAIPrompt(request, 'gpt-4o');
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < COUNTS; i++) await countOpenAIPrompt(request, 'gpt-4o');
  const wall = (performance.now() - t0) / COUNTS;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / COUNTS;
  console.log(
    `${name}: ${tokens} tokens, ${(wall * 1000).toFixed(0)} µs per count (cpu ${(cpuMs * 1000).toFixed(0)} µs)`,
  );
}

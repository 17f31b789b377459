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
import { SAMPLE_REQUESTS } from './sample-requests.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const COUNTS = Number(arg('counts', '2000'));

const REQUESTS: Record<string, ChatCompletionRequest> = SAMPLE_REQUESTS;

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

/**
 * Cost of bounding every request shape (strict holds, TPM charges) and of settling token charges:
 *
 * 1. CPU per bound (`chatShape` + `callBound`) beside the old estimate (`estimateTokens`), for a
 *    short chat, a 20-turn chat with tools (~2,000 tokens), and a chat with a 1.5 MB inline PNG.
 * 2. Over the local runtime (the mock provider, PORT 0): DynamoDB writes to rate-limit windows per
 *    answered chat, and wall time per chat, for a key without a token limit, a key with
 *    `rate_limit_tpm` (admission + settlement), and a key with both limits (leased windows).
 *
 * Benchmark aid, not part of `npm test`:
 *
 *   npx tsx bench/holds.ts [--bounds 20000] [--chats 300] [--conns 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatCompletionRequest } from '../lib/ai/types.js';
import { callBound, chatShape } from '../lib/services/ai/bounds.js';
import { estimateTokens } from '../lib/services/ai/needs.js';
import { startLocalRuntime } from '../local/start.js';
import { SAMPLE_REQUESTS } from './sample-requests.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : def);
};
const BOUNDS = arg('bounds', '20000');
const CHATS = arg('chats', '300');
const CONNS = arg('conns', '10');

const REQUESTS: Record<string, ChatCompletionRequest> = {
  ...SAMPLE_REQUESTS,
  chat: { ...SAMPLE_REQUESTS.chat, n: 4 },
};

function perCall(fn: () => void, runs: number): { wallUs: number; cpuUs: number } {
  fn();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  const wallUs = ((performance.now() - t0) * 1000) / runs;
  const used = process.cpuUsage(cpu);
  return { wallUs, cpuUs: (used.user + used.system) / runs };
}

console.log('## CPU per bound');
for (const [name, request] of Object.entries(REQUESTS)) {
  const runs = name === 'image' ? Math.max(50, BOUNDS / 100) : BOUNDS;
  const bound = callBound(chatShape(request), { modelId: 'gpt-4o' });
  const now = perCall(() => callBound(chatShape(request), { modelId: 'gpt-4o' }), runs);
  const old = perCall(() => estimateTokens(request.messages) + estimateTokens(request.tools ?? []), runs);
  console.log(
    `${name}: bound ${bound.inputTokens} in + ${bound.outputTokens} out, ${now.cpuUs.toFixed(1)} µs cpu ` +
      `(old estimate ${estimateTokens(request.messages) + estimateTokens(request.tools ?? [])} in, ${old.cpuUs.toFixed(1)} µs cpu)`,
  );
}

console.log(`\n## Rate-limit window writes per answered chat (${CHATS} chats, ${CONNS} at a time)`);
const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-holds-'));
const runtime = await startLocalRuntime({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: '0',
  ADMIN_API_KEY: 'gk_bench_admin_key_0123456789abcdef',
  LOG_LEVEL: 'ERROR',
  MOCK_PROVIDER: 'on',
  HEALTH_SCHEDULE: 'off',
});
const call = async (key: string, path: string, body: unknown) => {
  const res = await fetch(runtime.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const writes = { rate: 0 };
const table = runtime.deps.table;
const update = table.update.bind(table);
table.update = ((input: Parameters<typeof update>[0]) => {
  if (String(input.key.pk).startsWith('RATE#')) writes.rate++;
  return update(input);
}) as typeof table.update;

const variants: Array<[string, Record<string, unknown>]> = [
  ['no token limit', {}],
  ['rate_limit_tpm', { rate_limit_tpm: 1_000_000_000 }],
  ['rate_limit_rpm + rate_limit_tpm (leased)', { rate_limit_rpm: 10_000_000, rate_limit_tpm: 1_000_000_000 }],
];
for (const [name, limits] of variants) {
  const minted = await call(runtime.adminKey, '/api/keys', { name, role: 'invoke', ...limits });
  const key = String(minted.json.key);
  const body = { model: 'mock-chat', max_tokens: 256, messages: [{ role: 'user', content: 'hello there' }] };
  await call(key, '/v1/chat/completions', body);
  writes.rate = 0;
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (next++ < CHATS) if ((await call(key, '/v1/chat/completions', body)).status !== 200) failed++;
    }),
  );
  const ms = performance.now() - t0;
  console.log(
    `${name}: ${(writes.rate / CHATS).toFixed(2)} window writes per chat, ` +
      `${(ms / CHATS).toFixed(2)} ms wall per chat at ${CONNS} in flight, ${failed} failed`,
  );
}
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });

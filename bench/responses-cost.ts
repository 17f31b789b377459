/**
 * What `/v1/responses` costs beside a chat completion, served by the built-in mock (no upstream
 * time): DynamoDB operations per request by kind (counted with `Table.observe`), the gateway's own
 * time (`x-gateway-overhead-ms`; for a stream, until its headers) and the wall time to the last
 * byte, median and p95, for a chat completion, a
 * response with `store: false`, a stored response, a stored response continuing the previous one
 * (`previous_response_id`, a conversation growing to `--turns` turns) and a streamed stored one.
 * Benchmark, not part of `npm test`. One local runtime on a free port, embedded DynamoDB, one
 * connection, sequential requests.
 *
 *   npx tsx bench/responses-cost.ts [--requests 200] [--turns 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '../local/start.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const REQUESTS = Number(arg('requests', '200'));
const TURNS = Number(arg('turns', '20'));

const dataDir = mkdtempSync(join(tmpdir(), 'bench-responses-'));
const runtime = await startLocalRuntime({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: '0',
  LOG_LEVEL: 'ERROR',
  HEALTH_SCHEDULE: 'off',
  MOCK_PROVIDER: 'on',
  ROUTING_CACHE_TTL: '600',
});
const headers = { authorization: `Bearer ${runtime.adminKey}`, 'content-type': 'application/json' };
const input = 'Summarise the plot of a short story about a lighthouse keeper in two sentences.';

let ops: Record<string, number> = {};
/** Only the request's own operations count: the stream consumers' roll-ups run outside the window. */
let counting = false;
const stopObserving = runtime.deps.table.observe((op) => {
  if (counting) ops[op] = (ops[op] ?? 0) + 1;
});

async function call(
  path: string,
  body: unknown,
): Promise<{ overhead: number; wall: number; id: string | undefined }> {
  const started = performance.now();
  counting = true;
  const res = await fetch(runtime.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  const wall = performance.now() - started;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  await runtime.idle();
  counting = false;
  await runtime.streams?.idle();
  const id = text.startsWith('{') ? (JSON.parse(text) as { id?: string }).id : undefined;
  return { overhead: Number(res.headers.get('x-gateway-overhead-ms')), wall, id };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

interface Case {
  name: string;
  path: string;
  body: (previous: string | undefined, n: number) => unknown;
}
const CASES: Case[] = [
  {
    name: 'chat completion',
    path: '/v1/chat/completions',
    body: () => ({ model: 'mock-chat', messages: [{ role: 'user', content: input }] }),
  },
  {
    name: 'response, store: false',
    path: '/v1/responses',
    body: () => ({ model: 'mock-chat', input, store: false }),
  },
  { name: 'response, stored', path: '/v1/responses', body: () => ({ model: 'mock-chat', input }) },
  {
    name: `response, continued (≤ ${TURNS} turns)`,
    path: '/v1/responses',
    body: (previous, n) => ({
      model: 'mock-chat',
      input,
      ...(previous && n % TURNS !== 0 ? { previous_response_id: previous } : {}),
    }),
  },
  {
    name: 'response, streamed, stored',
    path: '/v1/responses',
    body: () => ({ model: 'mock-chat', input, stream: true }),
  },
];

const rows: string[] = [];
for (const c of CASES) {
  for (let i = 0; i < 20; i++) await call(c.path, c.body(undefined, 0)); // warm caches
  ops = {};
  const overhead: number[] = [];
  const wall: number[] = [];
  let previous: string | undefined;
  for (let n = 0; n < REQUESTS; n++) {
    const result = await call(c.path, c.body(previous, n));
    previous = result.id;
    overhead.push(result.overhead);
    wall.push(result.wall);
  }
  const perRequest = Object.entries(ops)
    .sort()
    .map(([op, count]) => `${op} ${(count / REQUESTS).toFixed(2)}`)
    .join(', ');
  rows.push(
    `| ${c.name} | ${perRequest} | ${quantile(overhead, 0.5).toFixed(2)} / ${quantile(overhead, 0.95).toFixed(2)} | ${quantile(wall, 0.5).toFixed(2)} / ${quantile(wall, 0.95).toFixed(2)} |`,
  );
}
stopObserving();
console.log(`requests per case: ${REQUESTS}, sequential, mock provider\n`);
console.log('| request | DynamoDB operations per request | overhead ms p50 / p95 | wall ms p50 / p95 |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });

/**
 * What a response-cache hit costs beside a proxied call (benchmark, not part of `npm test`).
 *
 * Three processes, so each figure belongs to one of them: the DynamoDB stand-in
 * (`bench/dynamo-server.ts`), a fake OpenAI upstream that answers at once, and the gateway
 * (`local/server.ts` through tsx, `CACHE_MODE=read_write`, on a free port). This process is the
 * client: one connection, sequential requests of the same chat body, through an invoke key.
 *
 * - **proxied**: `x-gateway-cache: no-cache` (the cache is not read; the full pipeline calls the
 *   upstream);
 * - **hit**: the same request answered from its entry;
 * - **item read**: the entry's read as the gateway timed it (`server-timing: cache;dur=`: the
 *   GetItem through the AWS SDK and the inflate), the floor a hit cannot go under; "overhead −
 *   item read" is the median over requests of the gateway's overhead minus that read. A proxied
 *   call reads nothing: its column shows a GetItem of the entry from this process instead.
 *
 * Reports, per case, the wall time p50/p95 (client view), the gateway's `x-gateway-overhead-ms`
 * p50 and the gateway process's CPU per request (utime + stime from `/proc/<pid>/stat`).
 *
 * Cases alternate over `--rounds`; each case reports its least disturbed round (lowest CPU).
 *
 *   npx tsx bench/cache-hit.ts [--requests 1000] [--warmup 200] [--rounds 2]
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=$PWD/run/prof" npx tsx bench/cache-hit.ts --rounds 1
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../lib/config.js';
import { requestKey } from '../lib/services/cache/request-key.js';
import { createStoreClients } from '../lib/store/client.js';
import { keys } from '../lib/store/keys.js';
import { Table } from '../lib/store/table.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const REQUESTS = Number(arg('requests', '1000'));
const WARMUP = Number(arg('warmup', '200'));
const ADMIN_KEY = 'gk_bench_admin_key_0123456789abcdef';
const MODEL = 'gpt-4o';

const state = mkdtempSync(join(tmpdir(), 'bench-cache-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(state, { recursive: true, force: true });
});

/** Starts a child and resolves with the first stdout match of `ready`. */
function startChild(
  cmd: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(cmd[0]!, cmd.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited with ${code}: ${out}`)));
  });
}

const UPSTREAM = `
const http = require('node:http');
const body = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: '${MODEL}',
  choices: [{ index: 0, message: { role: 'assistant', content: ${JSON.stringify('A lighthouse keeper '.repeat(20))} }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 40, completion_tokens: 80, total_tokens: 120 },
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

// ── the three processes ──────────────────────────────────────────────────────
const dynamoState = join(state, 'dynamo.json');
const dynamo = spawn(
  'node',
  ['--import', 'tsx', 'bench/dynamo-server.ts', '--state', dynamoState, '--parent', String(process.pid)],
  {
    stdio: 'ignore',
    env: process.env,
  },
);
children.push(dynamo);
for (let i = 0; i < 300; i++) {
  try {
    if (readFileSync(dynamoState, 'utf8').length > 0) break;
  } catch {
    // not written yet
  }
  await new Promise((r) => setTimeout(r, 100));
}
const { endpoint } = JSON.parse(readFileSync(dynamoState, 'utf8')) as { endpoint: string };
const upstream = await startChild(['node', '-e', UPSTREAM], {}, /port (\d+)/);
const gateway = await startChild(
  [
    'node',
    ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    '--import',
    'tsx',
    'local/server.ts',
  ],
  {
    DYNAMODB_ENDPOINT: endpoint,
    PORT: '0',
    DATA_DIR: join(state, 'data'),
    ADMIN_API_KEY: ADMIN_KEY,
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
    AUTH_CACHE_TTL_SECONDS: '60',
    HEALTH_SCHEDULE: 'off',
    MOCK_PROVIDER: 'off',
    LOG_LEVEL: 'ERROR',
    CACHE_MODE: 'read_write',
    POWERTOOLS_METRICS_DISABLED: 'true',
  },
  /listening on (http:\/\/\S+)/,
);
const url = gateway.match[1]!;
const pid = gateway.child.pid!;

// ── set-up over the admin API ────────────────────────────────────────────────
const dispatcher = new Agent({ connections: 1, pipelining: 1 });
async function call(
  method: string,
  path: string,
  key: string,
  body: unknown,
  extra: Record<string, string> = {},
) {
  const started = performance.now();
  const res = await request(url + path, {
    method: method as 'POST',
    dispatcher,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  const wall = performance.now() - started;
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return { wall, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
const provider = await call('POST', '/api/providers', ADMIN_KEY, {
  name: 'bench-upstream',
  provider_type: 'openai',
  base_url: `http://127.0.0.1:${upstream.match[1]}/v1`,
  service_types: ['llm'],
});
const providerId = provider.json.id as string;
await call('POST', `/api/providers/${providerId}/credentials`, ADMIN_KEY, {
  credential_type: 'api_key',
  credential_value: 'bench-not-a-real-key-000000000000',
});
await call('POST', `/api/providers/${providerId}/models`, ADMIN_KEY, {
  model_id: MODEL,
  model_type: 'llm',
  pricing: { input_per_1m: 2.5, output_per_1m: 10 },
});
const invoke = await call('POST', '/api/keys', ADMIN_KEY, { name: 'bench invoke', role: 'invoke' });
const key = invoke.json.key as string;
const body = {
  model: MODEL,
  messages: [{ role: 'user', content: 'Summarise the plot of a short story about a lighthouse keeper.' }],
};

// ── measuring ────────────────────────────────────────────────────────────────
const cpuMs = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 100 ticks/s
};
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

const config = loadConfig({ ...process.env, DYNAMODB_ENDPOINT: endpoint });
const table = new Table(createStoreClients(config), config.TABLE_NAME);
const entryKey = keys.cacheEntry(invoke.json.id as string, MODEL, requestKey('chat', body, false));
/** The entry's GetItem alone, timed between the hits so both see the same machine load. */
async function timedRead(): Promise<number> {
  const started = performance.now();
  const item = await table.get(entryKey);
  if (!item) throw new Error('the cache entry is not where the bench expects it');
  return performance.now() - started;
}

async function run(name: string, headers: Record<string, string>, expect: string) {
  for (let i = 0; i < WARMUP; i++) await call('POST', '/v1/chat/completions', key, body, headers);
  const walls: number[] = [];
  const overheads: number[] = [];
  const reads: number[] = [];
  const beyond: number[] = [];
  const cpuBefore = cpuMs();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await call('POST', '/v1/chat/completions', key, body, headers);
    if (res.headers['x-gateway-cache'] !== expect)
      throw new Error(`${name}: got ${res.headers['x-gateway-cache']}`);
    const overhead = Number(res.headers['x-gateway-overhead-ms']);
    // The gateway's own timing of its entry read (`server-timing: cache;dur=`): same process, same load.
    const timing = /cache;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
    const read = timing ? Number(timing[1]) : await timedRead();
    walls.push(res.wall);
    overheads.push(overhead);
    reads.push(read);
    beyond.push(overhead - read);
  }
  // Deferred usage and cache writes of the last requests belong to this case.
  await new Promise((r) => setTimeout(r, 200));
  const cpu = (cpuMs() - cpuBefore) / REQUESTS;
  return {
    name,
    p50: quantile(walls, 0.5),
    p95: quantile(walls, 0.95),
    overhead: quantile(overheads, 0.5),
    read: quantile(reads, 0.5),
    beyond: quantile(beyond, 0.5),
    cpu,
  };
}

await call('POST', '/v1/chat/completions', key, body); // fills the entry
// Alternating rounds, so drifting machine load falls on both cases alike.
const rounds = Number(arg('rounds', '2'));
const results = {
  proxied: [] as Awaited<ReturnType<typeof run>>[],
  hit: [] as Awaited<ReturnType<typeof run>>[],
};
for (let r = 0; r < rounds; r++) {
  results.hit.push(await run('hit', {}, 'hit'));
  results.proxied.push(await run('proxied (no-cache)', { 'x-gateway-cache': 'no-cache' }, 'bypass'));
}
/** The round with the lowest CPU per request (the least disturbed by other processes). */
const best = (list: Awaited<ReturnType<typeof run>>[]) => list.reduce((a, b) => (b.cpu < a.cpu ? b : a));
const proxied = best(results.proxied);
const hit = best(results.hit);

const f = (n: number) => n.toFixed(3);
console.log(
  `requests per case: ${REQUESTS} (after ${WARMUP} warm-up), one connection, load ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  '| case | wall p50 ms | wall p95 ms | gateway overhead p50 ms | item read p50 ms | overhead − item read, p50 of pairs ms | gateway CPU ms / request |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of [proxied, hit])
  console.log(
    `| ${r.name} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.overhead)} | ${f(r.read)} | ${f(r.beyond)} | ${f(r.cpu)} |`,
  );
table.close();
await dispatcher.close();
// A clean stop of the gateway (SIGTERM), so a --cpu-prof profile is written.
gateway.child.kill('SIGTERM');
await new Promise((r) => gateway.child.once('exit', r));
process.exit(0);

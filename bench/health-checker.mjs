#!/usr/bin/env node
/**
 * The scheduled health checker's time for N providers (benchmark, not part of `npm test`): one
 * health run as EventBridge invokes it (`functions/health/scheduled-check.ts` `handler`), end to
 * end, cold (fresh process: import + first run) and warm (the same process, next slots), with the
 * DynamoDB operations each run makes and the CPU of the function's process and of dynalite apart.
 *
 *   node bench/health-checker.mjs [--providers 100] [--delay 20] [--failing 10] [--refused 5]
 *                                 [--concurrency 10] [--hot-caches]
 *   BENCH_TSX=1 node bench/health-checker.mjs ...   # the handler's sources through tsx
 *   BENCH_DYNAMO_TRACE=1 node bench/health-checker.mjs --providers 50   # + items touched per run
 *
 * - Upstreams: one HTTP server on loopback (in this process) answers each provider's OpenAI
 *   `GET <base_url>/models` after `--delay` ms with a one-model list; `--failing` providers get a
 *   503 instead, and `--refused` point at a closed port (connection refused).
 * - The table opens in `bench/dynamo-server.ts` (its own process: counts operations by
 *   `X-Amz-Target`); a seeding process (sources through tsx) creates the providers (`openai`,
 *   `base_url` on the fake) and an `api_key` credential each (envelope-encrypted with the local
 *   master key, as `npm start` does; KMS in AWS), through the services.
 * - The function runs in a fresh `node` process from its esbuild bundle (the options of
 *   `bench/build.mjs`: `esbuildOptions` in `bench/support.mjs`; into `run/bench-health/dist/`),
 *   with a Lambda-like context (300 s left: the stack's timeout for the default interval). Three runs, one per health slot (the event's
 *   `time` is the start of slots s−1, s, s+1; each counts): run 1 cold; runs 2 and 3 warm (run 3
 *   is the third consecutive failure of the failing providers: it opens their incidents).
 * - In AWS the runs are `HEALTH_CHECK_INTERVAL` (300 s) apart, longer than the credential caches
 *   (records `ROUTING_CACHE_TTL` 60 s, decrypted values `CREDENTIAL_CACHE_TTL_SECONDS` 300 s), so
 *   a warm container still reloads and decrypts every credential. This is reproduced by setting
 *   both to 1 s and waiting 1.2 s between runs; `--hot-caches` keeps the defaults instead.
 * State lives in run/bench-health (recreated on every run); everything started is stopped.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  arg,
  benchState,
  bundleFunction,
  flag,
  formatOps,
  localRuntimeEnv,
  ownCpuUs,
  procCpuMs,
  processes,
  root,
  sleep,
  startDynamoServer,
} from './support.mjs';

const self = fileURLToPath(import.meta.url);
const state = benchState('BENCH_HEALTH_STATE', 'run/bench-health');
const PROVIDERS = Number(arg('providers', 100));
const DELAY = Number(arg('delay', 20));
const FAILING = Number(arg('failing', 10));
const REFUSED = Number(arg('refused', 5));
const CONCURRENCY = arg('concurrency', '10');
const HOT = flag('hot-caches');
const TSX = process.env.BENCH_TSX === '1';
const INTERVAL_S = 300;
const baseEnv = localRuntimeEnv(state, {
  HEALTH_CHECK_INTERVAL: String(INTERVAL_S),
  HEALTH_CONCURRENCY: CONCURRENCY,
  ...(HOT ? {} : { CREDENTIAL_CACHE_TTL_SECONDS: '1', ROUTING_CACHE_TTL: '1' }),
});

// ---- child: create the providers and their credentials through the services ------------------
if (process.argv[2] === '--seed') {
  const { loadConfig } = await import('../lib/config.ts');
  const { createGateway } = await import('../lib/runtime/gateway.ts');
  const { createProvider } = await import('../lib/services/providers/service.ts');
  const { createCredential } = await import('../lib/services/credentials/service.ts');
  const { providerCreate } = await import('../lib/schemas/providers.ts');
  const { credentialCreate } = await import('../lib/schemas/credentials.ts');
  const bases = JSON.parse(process.env.BENCH_BASES);
  const config = loadConfig(process.env);
  const deps = createGateway(config);
  const principal = { keyId: 'key_bench_admin', role: 'admin' };
  let n = 0;
  const actor = () => ({ keyId: 'key_bench_admin', requestId: `bench-${++n}`, sourceIp: '127.0.0.1' });
  for (const [i, base] of bases.entries()) {
    const p = await createProvider(
      deps,
      providerCreate.parse({
        name: `bench-health-${i}`,
        provider_type: 'openai',
        service_types: ['llm'],
        base_url: base,
      }),
      actor(),
      principal,
    );
    await createCredential(deps, {
      providerId: p.id,
      body: credentialCreate.parse({
        credential_type: 'api_key',
        credential_value: `sk-bench-${i}-0123456789`,
      }),
      principal,
      actor: actor(),
    });
  }
  process.stdout.write(`${JSON.stringify({ providers: bases.length })}\n`);
  process.exit(0);
}

// ---- child: the function, fresh process, three scheduled runs ---------------------------------
if (process.argv[2] === '--run') {
  const file = process.argv[3];
  const dynamoPid = Number(process.env.BENCH_DYNAMO_PID);
  const ops = async () => (await (await fetch(process.env.BENCH_OPS_URL)).json()).ops;
  const probes = async () => (await (await fetch(process.env.BENCH_FAKE_COUNT_URL)).json()).requests;
  const t0 = performance.now();
  const { handler } = await import(pathToFileURL(file).href);
  const importMs = performance.now() - t0;
  const slot = Math.floor(Date.now() / (INTERVAL_S * 1000));
  const runs = [];
  for (const [i, s] of [slot - 1, slot, slot + 1].entries()) {
    if (i > 0 && !HOT) await sleep(1200); // the credential caches (1 s here) expire, as between AWS runs
    const deadline = Date.now() + INTERVAL_S * 1000;
    const context = {
      functionName: 'health-scheduled-check',
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    const event = { id: `bench-run-${i}`, time: new Date(s * INTERVAL_S * 1000).toISOString() };
    const startedAt = Date.now();
    const before = { ops: await ops(), probes: await probes(), db: procCpuMs(dynamoPid), cpu: ownCpuUs() };
    const t = performance.now();
    const report = await handler(event, context);
    const wallMs = performance.now() - t;
    const after = { cpu: ownCpuUs(), db: procCpuMs(dynamoPid), probes: await probes(), ops: await ops() };
    const delta = {};
    for (const [op, count] of Object.entries(after.ops)) {
      const d = count - (before.ops[op] ?? 0);
      if (d && !op.startsWith('(')) delta[op] = d;
    }
    // BENCH_DYNAMO_TRACE=1: which items the run touched (the server keeps its last 500 operations).
    let items;
    if (process.env.BENCH_DYNAMO_TRACE === '1') {
      items = {};
      const trace = await (await fetch(process.env.BENCH_OPS_URL.replace('/ops', '/trace'))).json();
      for (const t of trace.filter((x) => x.at >= startedAt)) {
        // PutItem carries no Key in the trace summary: it shows as `PutItem (item)`.
        const k = /"pk":\{"S":"([A-Z_]+)[^"]*"\},"sk":\{"S":"([A-Z_]*)/.exec(t.summary);
        const q = /"IndexName":"(\w+)".*":pk":\{"S":"([A-Z_]+)/.exec(t.summary);
        const where = k ? `${k[1]} / ${k[2] || '<time>'}` : q ? `${q[1]} ${q[2]}` : '(item)';
        const shape = `${t.op} ${where}`;
        items[shape] = (items[shape] ?? 0) + 1;
      }
    }
    runs.push({
      run: i === 0 ? 'cold' : 'warm',
      wallMs: Math.round(wallMs),
      reportMs: report.duration_ms,
      functionCpuMs: Math.round((after.cpu - before.cpu) / 1000),
      dynamoCpuMs: after.db - before.db,
      probes: after.probes - before.probes,
      ops: delta,
      opsTotal: Object.values(delta).reduce((a, b) => a + b, 0),
      checked: report.checked,
      counted: report.counted,
      skipped: report.skipped,
      errors: report.errors,
      incidentsOpened: report.incidents_opened.length,
      ...(items ? { items } : {}),
    });
  }
  process.stdout.write(`${JSON.stringify({ importMs: Math.round(importMs), runs })}\n`);
  process.exit(0);
}

// ---- parent ------------------------------------------------------------------------------------
const { start, runJson, stopAll } = processes(baseEnv);
const listen = (server) =>
  new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));

// The fake upstreams: /p<i>/v1/models answers after DELAY ms; the first FAILING providers get 503.
let requests = 0;
const MODELS = JSON.stringify({
  object: 'list',
  data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'bench' }],
});
const fake = createServer((req, res) => {
  if (req.url === '/__count') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ requests }));
    return;
  }
  requests++;
  const m = /^\/p(\d+)\/v1\/models$/.exec(req.url ?? '');
  setTimeout(() => {
    if (!m) {
      res.writeHead(404).end();
    } else if (Number(m[1]) < FAILING) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"overloaded","type":"server_error"}}');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(MODELS);
    }
  }, DELAY);
});
const fakePort = await listen(fake);
const closed = createServer();
const closedPort = await listen(closed);
await new Promise((r) => closed.close(r)); // nothing listens there any more: connection refused

async function bundle() {
  const entry = join(root, 'functions/health/scheduled-check.ts');
  if (TSX) return entry;
  return bundleFunction(entry, join(state, 'dist/health/scheduled-check.js'));
}

try {
  rmSync(state, { recursive: true, force: true });
  mkdirSync(join(state, 'data'), { recursive: true });
  const file = await bundle();
  const dynamo = await startDynamoServer(start, {
    stateFile: join(state, 'dynamo.json'),
    dataDir: join(state, 'dynamo'),
  });
  const bases = Array.from({ length: PROVIDERS }, (_, i) =>
    i >= FAILING && i < FAILING + REFUSED
      ? `http://127.0.0.1:${closedPort}/p${i}/v1`
      : `http://127.0.0.1:${fakePort}/p${i}/v1`,
  );
  const env = { DYNAMODB_ENDPOINT: dynamo.endpoint };
  const t = performance.now();
  await runJson(['--import', 'tsx', self, '--seed', ...process.argv.slice(2)], {
    ...env,
    BENCH_BASES: JSON.stringify(bases),
  });
  process.stderr.write(`seeded ${PROVIDERS} providers in ${Math.round(performance.now() - t)} ms\n`);
  const result = await runJson(
    [...(TSX ? ['--import', 'tsx'] : []), self, '--run', file, ...process.argv.slice(2)],
    {
      ...env,
      BENCH_DYNAMO_PID: String(dynamo.pid),
      BENCH_OPS_URL: dynamo.opsUrl,
      BENCH_FAKE_COUNT_URL: `http://127.0.0.1:${fakePort}/__count`,
    },
  );

  const rows = [
    `providers ${PROVIDERS} (${FAILING} answer 503, ${REFUSED} refused), fake delay ${DELAY} ms, HEALTH_CONCURRENCY ${CONCURRENCY}, caches ${HOT ? 'hot' : 'expired between runs'}, import ${result.importMs} ms`,
    '',
    '| run | wall ms | function CPU ms | dynalite CPU ms | probes | DynamoDB ops (per provider) | by kind | counted | errors | incidents opened |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of result.runs)
    rows.push(
      `| ${r.run} | ${r.wallMs} | ${r.functionCpuMs} | ${r.dynamoCpuMs} | ${r.probes} | ${r.opsTotal} (${Math.round((r.opsTotal / PROVIDERS) * 100) / 100}) | ${formatOps(r.ops)} | ${r.counted} | ${r.errors} | ${r.incidentsOpened} |`,
    );
  process.stdout.write(
    `${rows.join('\n')}\n\n${JSON.stringify({ providers: PROVIDERS, delay: DELAY, failing: FAILING, refused: REFUSED, concurrency: Number(CONCURRENCY), hotCaches: HOT, ...result }, null, 2)}\n`,
  );
} finally {
  stopAll();
  fake.close();
  fake.closeAllConnections?.();
}

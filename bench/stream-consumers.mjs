#!/usr/bin/env node
/**
 * Stream consumer throughput (benchmark, not part of `npm test`): records per second, consumer CPU
 * per record and DynamoDB operations per record of each DynamoDB Streams consumer of
 * `lib/streams/consumers.ts`, handed `DynamoDBStreamEvent` batches of the configured size (100)
 * one after the other, as one shard's event source mapping does (parallelizationFactor 1).
 *
 *   node bench/stream-consumers.mjs [--records 2000] [--audit 300] [--batch 100] [--spread-keys 10]
 *                                   [--only enforcer-hot,enforcer-spread,audit]
 *   BENCH_TSX=1 node bench/stream-consumers.mjs ...   # run the handlers' sources through tsx
 *   BENCH_TSX=1 BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=$PWD/run/bench-streams-prof" \
 *     node bench/stream-consumers.mjs --only audit      # profile a consumer (readable names)
 *
 * 1. Realistic records, from real writes: a seeding process (sources through tsx) runs dynalite
 *    in-process with the local runtime's change capture (`local/change-stream/capture.ts`), and
 *    writes through the services: providers, models with prices, API keys, quotas, then `--records`
 *    usage events per mix through `recordUsage` (`lib/services/usage/record.ts`: one hourly counter
 *    `UpdateItem` each), then `--audit` admin writes (provider PATCHes, catalog model inserts, key
 *    creations). Every change becomes a `DynamoDBRecord` exactly as the local stream builds it
 *    (`toStreamRecord`: NEW_AND_OLD_IMAGES), kept if the consumer's filter patterns match.
 *    Two usage mixes bracket the quota enforcer: `hot` (1 provider × 1 model × 2 keys: a batch of
 *    100 records coalesces to 2 counters) and `spread` (10 providers × `--spread-keys` keys: 100
 *    distinct counters per batch, 10 × keys in all). 23 quotas watch them (global, per provider,
 *    per key of the first 10, per model). The global quota's evaluation reads every rollup of its
 *    window, so `--spread-keys 100` (1,000 counters) shows how a batch's cost grows with them.
 * 2. The table then opens in `bench/dynamo-server.ts` (its own process: counts operations by
 *    `X-Amz-Target`), and each consumer runs in a fresh `node` process that imports its function
 *    bundle (esbuild, the options of `bench/build.mjs`: `esbuildOptions` in `bench/support.mjs`;
 *    into `run/bench-streams/dist/`) and calls `handler` with each batch in turn. The first batch (cold: connections, JIT, quota cache) is
 *    reported apart; the steady figures are over the remaining batches.
 *
 * Reported per consumer and mix: records and batches; records/s (steady, wall clock: one batch in
 * flight at a time, against dynalite on this machine); consumer CPU ms per record and per batch
 * (`process.cpuUsage` of the consumer process alone); dynalite CPU ms per record (its process,
 * `/proc/<pid>/stat`); DynamoDB operations per record by kind; first batch ms; batch item failures.
 * State lives in run/bench-streams (recreated on every run); everything started is stopped.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  arg,
  benchNodeFlags,
  benchState,
  bundleFunction,
  formatOps,
  localRuntimeEnv,
  ownCpuUs,
  procCpuMs,
  processes,
  root,
  startDynamoServer,
  stop,
} from './support.mjs';

const self = fileURLToPath(import.meta.url);
const state = benchState('BENCH_STREAMS_STATE', 'run/bench-streams');
const RECORDS = Number(arg('records', 2000));
const AUDIT = Number(arg('audit', 300));
const BATCH = Number(arg('batch', 100));
const SPREAD_KEYS = Number(arg('spread-keys', 10));
const ONLY = arg('only', 'enforcer-hot,enforcer-spread,audit').split(',');
const TSX = process.env.BENCH_TSX === '1';
const baseEnv = localRuntimeEnv(state);

// ---- child: seed the table through the services, capture every change as a stream record -----
if (process.argv[2] === '--seed') {
  const { ChangeCapture } = await import('../local/change-stream/capture.ts');
  const { toStreamRecord } = await import('../local/change-stream/records.ts');
  const { matchesAny } = await import('../local/change-stream/filter.ts');
  const { startEmbeddedDynamo } = await import('../local/dynamo.ts');
  const { loadConfig } = await import('../lib/config.ts');
  const { createGateway } = await import('../lib/runtime/gateway.ts');
  const { STREAM_CONSUMERS } = await import('../lib/streams/consumers.ts');
  const { createProvider, updateProvider } = await import('../lib/services/providers/service.ts');
  const { createModel } = await import('../lib/services/models/service.ts');
  const { createApiKey } = await import('../lib/services/api-keys/service.ts');
  const { createQuota } = await import('../lib/services/quotas/service.ts');
  const { recordUsage } = await import('../lib/services/usage/record.ts');
  const schemas = {
    provider: (await import('../lib/schemas/providers.ts')).providerCreate,
    model: (await import('../lib/schemas/models.ts')).modelCreate,
    key: (await import('../lib/schemas/api-keys.ts')).apiKeyCreate,
    quota: (await import('../lib/schemas/quotas.ts')).quotaCreate,
  };

  const capture = new ChangeCapture();
  const dynamo = await startEmbeddedDynamo({ dataDir: join(state, 'dynamo'), capture });
  const config = loadConfig({ ...process.env, DYNAMODB_ENDPOINT: dynamo.endpoint });
  const deps = createGateway(config);
  const identity = { region: config.AWS_REGION, accountId: '000000000000', label: new Date().toISOString() };
  const records = [];
  capture.onChange((change) => records.push(toStreamRecord(change, identity)));

  let n = 0;
  const actor = () => ({ keyId: 'key_bench_admin', requestId: `bench-${++n}`, sourceIp: '127.0.0.1' });
  const principal = { keyId: 'key_bench_admin', role: 'admin' };
  const PRICING = { input_per_1m: 0.15, output_per_1m: 0.6 };
  const provider = async (name) =>
    createProvider(
      deps,
      schemas.provider.parse({
        name,
        provider_type: 'openai',
        service_types: ['llm', 'embedding'],
        base_url: 'http://127.0.0.1:9100/v1',
      }),
      actor(),
      principal,
    );
  const model = (providerId, modelId) =>
    createModel(deps, {
      providerId,
      model: schemas.model.parse({ model_id: modelId, model_type: 'llm', pricing: PRICING }),
      principal,
      actor: actor(),
    });
  const apiKey = async (name) =>
    (
      await createApiKey(deps, {
        body: schemas.key.parse({ name, role: 'invoke' }),
        caller: principal,
        actor: actor(),
      })
    ).id;
  const quota = (body) => createQuota(deps, { quota: schemas.quota.parse(body), principal, actor: actor() });

  // Catalog: hot = 1 provider, spread = 10 providers; one priced model each; 10 invoke keys.
  const hot = await provider('bench-hot-0');
  const spread = [];
  for (let i = 0; i < 10; i++) spread.push(await provider(`bench-spread-${i}`));
  for (const p of [hot, ...spread]) await model(p.id, 'gpt-4o-mini');
  const keyIds = [];
  for (let i = 0; i < Math.max(10, SPREAD_KEYS); i++) keyIds.push(await apiKey(`bench-key-${i}`));
  // 23 quotas: global monthly cost, daily requests per provider, monthly tokens per key, daily cost of a model.
  await quota({ scope: 'global', quota_type: 'monthly_cost', limit_value: 1_000_000 });
  for (const p of [hot, ...spread])
    await quota({ scope: 'provider', provider_id: p.id, quota_type: 'daily_requests', limit_value: 1e9 });
  for (const k of keyIds.slice(0, 10))
    await quota({ scope: 'api_key', api_key_id: k, quota_type: 'monthly_tokens', limit_value: 1e12 });
  await quota({
    scope: 'model',
    provider_id: hot.id,
    model_id: 'gpt-4o-mini',
    quota_type: 'daily_cost',
    limit_value: 100_000,
  });

  // Usage: what the AI path records, one `recordUsage` per call (deterministic pseudo-random sizes).
  let seed = 42;
  const rand = (max) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % max;
  };
  const usage = (providerId, apiKeyId) =>
    recordUsage(deps, {
      at: Date.now(),
      providerId,
      modelId: 'gpt-4o-mini',
      apiKeyId,
      serviceType: 'llm',
      usage: { input_tokens: 200 + rand(2000), output_tokens: 20 + rand(400), cached_input_tokens: 0 },
      latencyMs: 150 + rand(900),
      outcome: rand(100) < 3 ? 'error' : 'success',
    });
  const mixes = { hot: [], spread: [] };
  const mark = () => records.length;
  let from = mark();
  for (let i = 0; i < RECORDS; i++) await usage(hot.id, keyIds[i % 2]);
  mixes.hot = [from, mark()];
  from = mark();
  for (let i = 0; i < RECORDS; i++) await usage(spread[i % 10].id, keyIds[Math.floor(i / 10) % SPREAD_KEYS]);
  mixes.spread = [from, mark()];

  // Admin writes for the audit trail: provider PATCHes, catalog model inserts, key creations.
  for (let i = 0; i < AUDIT; i++) {
    const p = [hot, ...spread][i % 11];
    if (i % 3 === 0)
      await updateProvider(deps, { id: p.id, patch: { priority: 100 + i }, principal, actor: actor() });
    else if (i % 3 === 1) await model(p.id, `bench-model-${i}`);
    else await apiKey(`bench-extra-key-${i}`);
  }
  await dynamo.close();

  const consumer = (fn) => STREAM_CONSUMERS.find((c) => c.fn === fn);
  const enforcer = consumer('streams/quota-enforcer');
  const audit = consumer('streams/audit-writer');
  const keep = (c, list) => list.filter((r) => matchesAny(c.filterPatterns, r));
  const sets = {
    'enforcer-hot': keep(enforcer, records.slice(...mixes.hot)),
    'enforcer-spread': keep(enforcer, records.slice(...mixes.spread)),
    audit: keep(audit, records),
  };
  for (const [name, list] of Object.entries(sets))
    writeFileSync(join(state, `${name}.json`), JSON.stringify(list));
  process.stdout.write(
    `${JSON.stringify({ captured: records.length, ...Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length])) })}\n`,
  );
  process.exit(0);
}

// ---- child: one consumer, fresh process, handed the batches one after the other ---------------
if (process.argv[2] === '--consume') {
  const [, , , file, recordsFile] = process.argv;
  const dynamoPid = Number(process.env.BENCH_DYNAMO_PID);
  const opsUrl = process.env.BENCH_OPS_URL;
  const records = JSON.parse(readFileSync(recordsFile, 'utf8'));
  const ops = async () => (await (await fetch(opsUrl)).json()).ops;
  const t0 = performance.now();
  const { handler } = await import(pathToFileURL(file).href);
  const importMs = performance.now() - t0;
  const batches = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));
  let failures = 0;
  const run = async (batch) => {
    const out = await handler({ Records: batch });
    failures += out?.batchItemFailures?.length ?? 0;
  };
  const f0 = { t: performance.now(), cpu: ownCpuUs() };
  await run(batches[0]);
  const first = { ms: performance.now() - f0.t, cpuMs: (ownCpuUs() - f0.cpu) / 1000 };
  const steady = batches.slice(1);
  const before = { ops: await ops(), db: procCpuMs(dynamoPid), cpu: ownCpuUs(), t: performance.now() };
  const counterId = (r) => `${r.dynamodb?.Keys?.pk?.S} ${r.dynamodb?.Keys?.sk?.S}`;
  const distinct = (list) => new Set(list.map(counterId)).size;
  const batchMs = [];
  for (const batch of steady) {
    const t = performance.now();
    await run(batch);
    batchMs.push(performance.now() - t);
  }
  const after = { t: performance.now(), cpu: ownCpuUs(), db: procCpuMs(dynamoPid), ops: await ops() };
  const n = steady.reduce((s, b) => s + b.length, 0);
  const delta = {};
  for (const [op, count] of Object.entries(after.ops)) {
    const d = count - (before.ops[op] ?? 0);
    if (d && !op.startsWith('(')) delta[op] = Math.round((d / n) * 1000) / 1000;
  }
  batchMs.sort((a, b) => a - b);
  const r1 = (x) => Math.round(x * 10) / 10;
  const r3 = (x) => Math.round(x * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      records: records.length,
      batches: batches.length,
      itemsPerBatch: Math.round(batches.reduce((sum, b) => sum + distinct(b), 0) / batches.length),
      items: distinct(records),
      importMs: r1(importMs),
      firstBatchMs: r1(first.ms),
      firstBatchCpuMs: r1(first.cpuMs),
      steadyRecords: n,
      recordsPerSecond: Math.round((n / (after.t - before.t)) * 1000),
      batchMsP50: r1(batchMs[Math.floor(batchMs.length / 2)] ?? 0),
      batchMsMax: r1(batchMs.at(-1) ?? 0),
      consumerCpuMsPerRecord: r3((after.cpu - before.cpu) / 1000 / n),
      consumerCpuMsPerBatch: r1((after.cpu - before.cpu) / 1000 / steady.length),
      dynamoCpuMsPerRecord: r3((after.db - before.db) / n),
      opsPerRecord: delta,
      batchItemFailures: failures,
    })}\n`,
  );
  process.exit(0);
}

// ---- parent ------------------------------------------------------------------------------------
const { start, runJson, stopAll } = processes(baseEnv);
/** Starts bench/dynamo-server.ts on the state's data folder; resolves with its child, endpoint, pid, opsUrl. */
const startDynamo = () =>
  startDynamoServer(start, { stateFile: join(state, 'dynamo.json'), dataDir: join(state, 'dynamo') });

const FUNCTIONS = { enforcer: 'streams/quota-enforcer', audit: 'streams/audit-writer' };
async function bundles() {
  if (TSX)
    return Object.fromEntries(
      Object.entries(FUNCTIONS).map(([k, fn]) => [k, join(root, `functions/${fn}.ts`)]),
    );
  const out = {};
  for (const [k, fn] of Object.entries(FUNCTIONS))
    out[k] = await bundleFunction(join(root, `functions/${fn}.ts`), join(state, 'dist', `${fn}.js`));
  return out;
}

try {
  rmSync(state, { recursive: true, force: true });
  mkdirSync(join(state, 'data'), { recursive: true });
  const files = await bundles();
  // The table as the stack makes it (ensureTable in bench/dynamo-server.ts), then closed again.
  await stop((await startDynamo()).child, 5000);
  const t = performance.now();
  const seeded = await runJson(['--import', 'tsx', self, '--seed', ...process.argv.slice(2)]);
  process.stderr.write(`seeded in ${Math.round(performance.now() - t)} ms: ${JSON.stringify(seeded)}\n`);

  const dynamo = await startDynamo();
  const flags = benchNodeFlags();
  const consumerArgs = (file) => [...flags, ...(TSX ? ['--import', 'tsx', self] : [self]), '--consume', file];
  const results = {};
  for (const name of ONLY) {
    const file = name.startsWith('audit') ? files.audit : files.enforcer;
    results[name] = await runJson(
      [...consumerArgs(file), join(state, `${name}.json`), ...process.argv.slice(2)],
      {
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        BENCH_DYNAMO_PID: String(dynamo.pid),
        BENCH_OPS_URL: dynamo.opsUrl,
      },
    );
  }
  await stop(dynamo.child, 5000);

  const rows = [
    '| consumer / mix | records | items (per batch) | rec/s | consumer CPU ms/rec | CPU ms/batch | dynalite CPU ms/rec | batch p50 ms | first batch ms | DynamoDB ops per record | failures |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, r] of Object.entries(results))
    rows.push(
      `| ${name} | ${r.records} | ${r.items} (${r.itemsPerBatch}) | ${r.recordsPerSecond} | ${r.consumerCpuMsPerRecord} | ${r.consumerCpuMsPerBatch} | ${r.dynamoCpuMsPerRecord} | ${r.batchMsP50} | ${r.firstBatchMs} | ${formatOps(r.opsPerRecord)} | ${r.batchItemFailures} |`,
    );
  process.stdout.write(
    `${rows.join('\n')}\n\n${JSON.stringify({ batch: BATCH, seeded, results }, null, 2)}\n`,
  );
} finally {
  stopAll();
}

#!/usr/bin/env node
/**
 * Cold start per function (benchmark, not part of `npm test`): bundle size, and the time a fresh
 * `node` process takes to import the function's bundle (dist/functions/, from `node bench/build.mjs`)
 * and answer its first event. Each sample is a new process; the figure is the median.
 *
 *   node bench/cold-start.mjs [--runs 5] [--functions ai/chat,auth/authorizer,...] [--dist dist/functions]
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=$PWD/run/bench/prof" node bench/cold-start.mjs ...
 *
 * Needs the benchmark state of `node bench/setup-peer.js` (run/bench): the DynamoDB stand-in is
 * started on it (its own process), and the peer-bench mock on :9100 if nothing listens there, so
 * the chat's first event goes all the way (auth context → route → credential decrypt → upstream →
 * usage write). Env is the local runtime's (GATEWAY_RUNTIME=local: the master key file instead of
 * KMS, the pepper file instead of Secrets Manager), so AWS SDK client creation for KMS/Secrets
 * Manager is not on this path; Lambda's own init (runtime bootstrap, code download) is not counted.
 *
 * Reported per function: bundle KiB (the entry module; `at import` adds the chunks it imports
 * statically, `all` every chunk, from the build's metafile); `import` ms (dynamic import of the
 * bundle); `first` ms (the first event, from call to response); `total` = import + first;
 * `process` ms (spawn to exit, includes node's own start, ~40 ms here); `cpu` ms, the process's CPU
 * time (user + system) during import + first event, steadier than wall time on a busy machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleBytes } from './bundle-bytes.mjs';
import {
  arg,
  benchNodeFlags,
  benchState,
  childOutput,
  localRuntimeEnv,
  processes,
  readKeys,
  root,
  startDynamoServer,
  startMock,
} from './support.mjs';

const state = benchState();
const RUNS = Number(arg('runs', 5));
const FUNCTIONS = arg(
  'functions',
  'ai/chat,ai/embeddings,ai/models,auth/authorizer,system/health,providers/list,streams/quota-enforcer',
).split(',');
/** Where the function bundles are (`--dist`, e.g. a copy of dist/functions to compare builds). */
const bundles = resolve(arg('dist', join(root, 'dist/functions')));
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 };

// ---- child: import one bundle, answer one event, print timings --------------------------------
if (process.argv[2] === '--child') {
  const [, , , file, eventJson] = process.argv;
  const { Writable } = await import('node:stream');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const mod = await import(pathToFileURL(file).href);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  // Monotonic microseconds, the clock of --cpu-prof timestamps: where the import phase ends.
  const importEndUs = Number(process.hrtime.bigint() / 1000n);
  const event = JSON.parse(eventJson);
  const deadline = Date.now() + 29_000;
  const context = {
    functionName: 'cold-start',
    awsRequestId: 'cold-start',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: false,
  };
  let status;
  const handler = mod.handler;
  if (handler[Symbol.for('aws.lambda.runtime.handler.streaming')] === 'response') {
    let text = '';
    const sink = new Writable({
      write(chunk, _e, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    await handler(event, sink, context);
    status = JSON.parse(text.slice(0, text.indexOf('\u0000'))).statusCode;
  } else {
    const result = await handler(event, context);
    status = result?.statusCode ?? (result?.policyDocument ? 'policy' : 'ok');
  }
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  const cpuMs = (a, b) => (b.user - a.user + b.system - a.system) / 1000;
  const times = { import: t1 - t0, first: t2 - t1, importCpu: cpuMs(c0, c1), firstCpu: cpuMs(c1, c2) };
  process.stdout.write(`${JSON.stringify({ ...times, status, importEndUs })}\n`);
  process.exit(0);
}

// ---- parent ----------------------------------------------------------------------------------
const keys = readKeys(state);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { start, stopAll } = processes();
await startMock(start, 9100);
const { endpoint } = await startDynamoServer(start, {
  stateFile: join(state, 'dynamo-cold.json'),
  dataDir: join(state, 'dynamo'),
  bundled: existsSync(join(root, 'dist/bench/dynamo-server.js')),
  env: process.env,
});

const env = localRuntimeEnv(state, {
  DYNAMODB_ENDPOINT: endpoint,
  ADMIN_API_KEY: readFileSync(join(state, 'admin-key'), 'utf8').trim(),
  AUTH_CACHE_TTL_SECONDS: '60',
});

function proxyEvent(method, path, resource, body, authorizer) {
  return {
    resource,
    path,
    httpMethod: method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.keys['0ms']}` },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body ? JSON.stringify(body) : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer,
      httpMethod: method,
      path: `/local${path}`,
      stage: 'local',
      requestId: 'cold-start',
      requestTimeEpoch: Date.now(),
      resourcePath: resource,
      identity: { sourceIp: '127.0.0.1', userAgent: 'cold-start' },
    },
  };
}

async function runChild(file, event) {
  const started = performance.now();
  const args = [...benchNodeFlags(), fileURLToPath(import.meta.url), '--child', file, JSON.stringify(event)];
  const child = spawn('node', args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { out, err } = await childOutput(child);
  const line = out.trim().split('\n').pop();
  try {
    return { ...JSON.parse(line), process: performance.now() - started };
  } catch {
    throw new Error(`${file}: ${out} ${err.slice(-1500)}`);
  }
}

// The authorizer's answer for the invoke key is the context API Gateway hands every AI function.
const authorizerFile = join(bundles, 'auth/authorizer.js');
const authEvent = {
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:local:000000000000:local/local/POST/v1/chat/completions',
  resource: '/v1/chat/completions',
  path: '/v1/chat/completions',
  httpMethod: 'POST',
  headers: { authorization: `Bearer ${keys.keys['0ms']}` },
  multiValueHeaders: {},
  pathParameters: null,
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  stageVariables: null,
  requestContext: { requestId: 'cold-start', identity: { sourceIp: '127.0.0.1' } },
};
async function authorize(key) {
  const event = { ...authEvent, headers: { authorization: `Bearer ${key}` } };
  const script = `const m = await import(${JSON.stringify(pathToFileURL(authorizerFile).href)});
      process.stdout.write(JSON.stringify(await m.handler(${JSON.stringify(event)})));`;
  const child = spawn('node', ['--input-type=module', '-e', script], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { out } = await childOutput(child);
  try {
    const result = JSON.parse(out);
    return { principalId: result.principalId, ...result.context };
  } catch {
    throw new Error(`authorizer: ${out}`);
  }
}
const principal = await authorize(keys.keys['0ms']);
const adminPrincipal = await authorize(keys.adminKey);

const EVENTS = {
  'ai/chat': () => proxyEvent('POST', '/v1/chat/completions', '/v1/chat/completions', CHAT, principal),
  'ai/embeddings': () =>
    proxyEvent('POST', '/v1/embeddings', '/v1/embeddings', { model: 'gpt-4o-mini', input: 'hi' }, principal),
  'ai/models': () => proxyEvent('GET', '/v1/models', '/v1/models', null, principal),
  'auth/authorizer': () => authEvent,
  'system/health': () => proxyEvent('GET', '/health', '/health', null, null),
  'providers/list': () => proxyEvent('GET', '/api/providers', '/api/providers', null, adminPrincipal),
  'streams/quota-enforcer': () => ({ Records: [] }),
};

/** At-import and all-chunks KiB from the build's metafile (equal to the entry without splitting). */
function sizesOf(file) {
  const meta = file.replace(/\.js$/, '.meta.json');
  const bytes = existsSync(meta) ? bundleBytes(JSON.parse(readFileSync(meta, 'utf8'))) : undefined;
  const size = statSync(file).size;
  return {
    atImportKib: Math.round((bytes?.atImport ?? size) / 1024),
    allKib: Math.round((bytes?.all ?? size) / 1024),
  };
}

const rows = [];
for (const fn of FUNCTIONS) {
  const file = join(bundles, `${fn}.js`);
  if (!existsSync(file)) throw new Error(`${file} missing: run node bench/build.mjs`);
  const event = (EVENTS[fn] ?? (() => proxyEvent('GET', '/', '/', null, principal)))();
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await runChild(file, event));
  const row = {
    function: fn,
    kib: Math.round(statSync(file).size / 1024),
    ...sizesOf(file),
    import: median(samples.map((s) => s.import)),
    first: median(samples.map((s) => s.first)),
    total: median(samples.map((s) => s.import + s.first)),
    importCpu: median(samples.map((s) => s.importCpu)),
    firstCpu: median(samples.map((s) => s.firstCpu)),
    process: median(samples.map((s) => s.process)),
    status: samples[0].status,
    importEndUs: samples.map((s) => s.importEndUs),
  };
  rows.push(row);
  process.stdout.write(
    `${fn.padEnd(24)} ${String(row.kib).padStart(6)} KiB (${String(row.atImportKib).padStart(4)} at import, ${String(row.allKib).padStart(4)} all)  import ${row.import.toFixed(1).padStart(6)} ms  first ${row.first.toFixed(1).padStart(6)} ms  total ${row.total.toFixed(1).padStart(6)} ms  process ${row.process.toFixed(0).padStart(5)} ms  cpu ${row.importCpu.toFixed(0)}+${row.firstCpu.toFixed(0)} ms  status ${row.status}\n`,
  );
}
stopAll();
process.stdout.write(`${JSON.stringify({ runs: RUNS, rows })}\n`);

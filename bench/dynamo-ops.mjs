#!/usr/bin/env node
/**
 * DynamoDB operations per AI request on the hot path, in steady state, counted by kind at the
 * DynamoDB stand-in (bench/dynamo-server.ts counts every request it serves by X-Amz-Target), plus
 * the CPU time per request of the gateway process and of the DynamoDB process, apart.
 * Benchmark, not part of `npm test`.
 *
 *   node bench/setup-peer.js                       # once: state in run/bench
 *   node bench/dynamo-ops.mjs [--requests 2000] [--warmup 300] [--conns 10] [--target 0ms|20ms]
 *                             [--stream]           # streaming chat instead of buffered
 *
 * Starts bench/ours.sh (the gateway, `exec`ed, on BENCH_PORT or 8090, and the DynamoDB process)
 * and the peer-bench mocks when nothing listens on :9100/:9120 (`BENCH_MOCK_PORTS` names others);
 * stops what it started.
 * The warmup fills the caches (authorizer 60 s, routing snapshot ROUTING_CACHE_TTL 60 s, decrypted
 * credential); the measured window is shorter than those TTLs, so a refresh inside it is rare
 * (it would show as a Query/GetItem burst: about 4-6 reads per refresh, amortized over every
 * request of that minute).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  arg,
  benchPort,
  benchState,
  flag,
  mockPorts,
  procCpuMs,
  processes,
  readKeys,
  sleep,
  startGateway,
  startMock,
  waitUp,
} from './support.mjs';

const state = benchState();
const REQUESTS = Number(arg('requests', 2000));
const WARMUP = Number(arg('warmup', 300));
const CONNS = Number(arg('conns', 10));
const TARGET = arg('target', '0ms');
const STREAM = flag('stream');
const port = benchPort(8090);
const base = `http://127.0.0.1:${port}`;
const keys = readKeys(state);
const key = keys.keys[TARGET];
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  max_tokens: 16,
  ...(STREAM ? { stream: true, stream_options: { include_usage: true } } : {}),
});
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

const { start, stopAll } = processes();
await startMock(start, mockPorts()['0ms'], 0);
await startMock(start, mockPorts()['20ms'], 20);
const gateway = startGateway(start, { state, port });
try {
  await waitUp(`${base}/health`);
  const dynamo = JSON.parse(readFileSync(join(state, 'dynamo.json'), 'utf8'));
  const ops = async () => (await (await fetch(dynamo.opsUrl)).json()).ops;

  let failures = 0;
  async function chat() {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) failures++;
  }
  async function load(n) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNS }, async () => {
        while (next++ < n) await chat();
      }),
    );
  }
  await load(WARMUP);
  await sleep(500);
  const wallStart = Date.now();
  const before = {
    ops: await ops(),
    gw: procCpuMs(gateway.pid),
    db: procCpuMs(dynamo.pid),
    t: performance.now(),
  };
  failures = 0;
  await load(REQUESTS);
  await sleep(200); // writes after the response (none expected) land
  const after = {
    ops: await ops(),
    gw: procCpuMs(gateway.pid),
    db: procCpuMs(dynamo.pid),
    t: performance.now(),
  };
  const delta = {};
  for (const [op, n] of Object.entries(after.ops)) {
    const d = n - (before.ops[op] ?? 0);
    if (d) delta[op] = d;
  }
  const per = (n) => Math.round((n / REQUESTS) * 1000) / 1000;
  const sum = (set) => Object.entries(delta).reduce((s, [op, n]) => s + (set.has(op) ? n : 0), 0);
  const result = {
    target: TARGET,
    stream: STREAM,
    requests: REQUESTS,
    conns: CONNS,
    failures,
    seconds: Math.round(after.t - before.t) / 1000,
    opsPerRequest: Object.fromEntries(Object.entries(delta).map(([op, n]) => [op, per(n)])),
    readsPerRequest: per(sum(READS)),
    writesPerRequest: per(sum(WRITES)),
    gatewayCpuUsPerRequest: Math.round(((after.gw - before.gw) * 1000) / REQUESTS),
    dynamoCpuUsPerRequest: Math.round(((after.db - before.db) * 1000) / REQUESTS),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (process.env.BENCH_DYNAMO_TRACE === '1') {
    // What the operations were (last 500 only): counts of each distinct shape in the window.
    const trace = await (await fetch(dynamo.opsUrl.replace('/ops', '/trace'))).json();
    const shapes = {};
    for (const t of trace.filter((x) => x.at >= wallStart)) {
      // Shape: the operation, the key's or the query's partition prefix and sort-key prefix.
      const m = /"pk":\{"S":"([A-Z_]+)[^"]*"\},"sk":\{"S":"([A-Z_]+)/.exec(t.summary);
      const q = /"IndexName":"(\w+)".*":pk":\{"S":"([A-Z_]+)/.exec(t.summary);
      const shape = `${t.op} ${m ? `${m[1]} / ${m[2]}` : q ? `${q[1]} ${q[2]}` : t.summary.slice(0, 120)}`;
      shapes[shape] = (shapes[shape] ?? 0) + 1;
    }
    for (const [shape, n] of Object.entries(shapes).sort((a, b) => b[1] - a[1]))
      process.stdout.write(`${String(n).padStart(5)}  ${shape.slice(0, 400)}\n`);
  }
} finally {
  stopAll();
  await sleep(1000);
}

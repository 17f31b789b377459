/**
 * CPU time of one DynamoDB UpdateItem as the gateway sends it: through `Table` (the AWS SDK v3
 * document client over the low-level client, as `createStoreClients` configures them), measured in
 * this process only; the DynamoDB stand-in runs in its own process, on its Unix socket as the local
 * runtime's store does. Benchmark aid, not part of `npm test`; build the stand-in first
 * (`node bench/build.mjs --local`).
 *
 *   npx tsx bench/dynamo-client-cost.ts [--calls 3000] [--conns 10]
 *
 * Two writes: `update` is a counter `ADD` with a few `SET`s (the shape of the usage counter and the
 * rate-limit window), `conditional` the same with a condition (a rate-limit admission).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStoreClients } from '../lib/store/client.js';
import { Table } from '../lib/store/table.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const CALLS = Number(arg('calls', '3000'));
const CONNS = Number(arg('conns', '10'));
const stateFile = join(tmpdir(), `dynamo-client-cost-${process.pid}.json`);
const server = spawn(
  'node',
  ['dist/bench/dynamo-server.js', '--state', stateFile, '--parent', String(process.pid)],
  {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
);
let endpoint: string | undefined;
for (let i = 0; i < 300 && !endpoint; i++) {
  await new Promise((r) => setTimeout(r, 100));
  try {
    endpoint = JSON.parse(readFileSync(stateFile, 'utf8')).endpoint;
  } catch {
    /* not yet */
  }
}
if (!endpoint) throw new Error('the DynamoDB stand-in did not start (node bench/build.mjs --local first?)');
const table = new Table(
  createStoreClients({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint }),
  'gateway',
);
const key = (i: number) => ({ pk: 'BENCH#counter', sk: `H#${i % 4}` });
const writes: Record<string, (i: number) => Promise<unknown>> = {
  update: (i) =>
    table.update({
      key: key(i),
      add: { requests: 1, tokens: 23 },
      set: { entity: 'bench', updated_at: new Date().toISOString() },
    }),
  conditional: (i) =>
    table.update({
      key: key(i),
      add: { requests: 1, tokens: 23 },
      set: { entity: 'bench', updated_at: new Date().toISOString() },
      condition: 'attribute_not_exists(requests) OR requests <= :room',
      values: { ':room': Number.MAX_SAFE_INTEGER },
    }),
};

async function run(write: (i: number) => Promise<unknown>, n: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (next < n) await write(next++);
    }),
  );
}
const results: Record<string, unknown> = {};
for (const [name, write] of Object.entries(writes)) {
  await run(write, 500);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(write, CALLS);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  results[name] = {
    clientCpuUsPerCall: Math.round((cpu.user + cpu.system) / CALLS),
    wallMsPerCallAtConcurrency: Math.round((wall / CALLS) * CONNS * 100) / 100,
  };
}
process.stdout.write(`${JSON.stringify({ calls: CALLS, conns: CONNS, ...results })}\n`);
table.close();
server.kill('SIGTERM');
rmSync(stateFile, { force: true });

/**
 * CPU time of one DynamoDB UpdateItem as the gateway sends it: through `Table` (the AWS SDK v3
 * document client over the low-level client, as `createStoreClients` configures them), measured in
 * this process only; the DynamoDB stand-in runs in its own process, on its Unix socket as the local
 * runtime's store does. Benchmark aid, not part of `npm test`; build the stand-in first
 * (`node bench/build.mjs --local`).
 *
 *   npx tsx bench/dynamo-client-cost.ts [--calls 8000] [--conns 10] [--rounds 8]
 *
 * Three writes: `counter` is an `ADD` with a few `SET`s (the usage counter's shape), `conditional`
 * the same with a condition (a rate-limit admission): both go pre-marshalled through the low-level
 * client; `returning` asks for the new values, so it goes through the document client (marshalling
 * the input, unmarshalling the output), as every write that returns or stores an object does.
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
const CALLS = Number(arg('calls', '8000'));
const CONNS = Number(arg('conns', '10'));
const ROUNDS = Number(arg('rounds', '8'));
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
const counter = (i: number) => ({
  key: key(i),
  add: { requests: 1, tokens: 23 },
  set: { entity: 'bench', updated_at: new Date().toISOString() },
});
const writes: Record<string, (i: number) => Promise<unknown>> = {
  counter: (i) => table.update(counter(i)),
  conditional: (i) =>
    table.update({
      ...counter(i),
      condition: 'attribute_not_exists(requests) OR requests <= :room',
      values: { ':room': Number.MAX_SAFE_INTEGER },
    }),
  returning: (i) => table.update({ ...counter(i), returnValues: 'UPDATED_NEW' }),
};

async function run(write: (i: number) => Promise<unknown>, n: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (next < n) await write(next++);
    }),
  );
}
// Warm every path first (JIT, connections); then the writes take turns, round after round, so
// that load from other processes falls on all of them alike. Each figure is the median of the
// rounds' CPU per call (and the lowest).
for (const write of Object.values(writes)) await run(write, 1000);
const perCall: Record<string, number[]> = Object.fromEntries(Object.keys(writes).map((name) => [name, []]));
const perRound = Math.ceil(CALLS / ROUNDS);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, write] of Object.entries(writes)) {
    const cpu0 = process.cpuUsage();
    await run(write, perRound);
    const cpu = process.cpuUsage(cpu0);
    perCall[name]!.push((cpu.user + cpu.system) / perRound);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = Object.fromEntries(
  Object.entries(perCall).map(([name, values]) => [
    name,
    { cpuUsPerCall: Math.round(median(values)), lowestRound: Math.round(Math.min(...values)) },
  ]),
);
process.stdout.write(`${JSON.stringify({ calls: CALLS, conns: CONNS, rounds: ROUNDS, ...results })}\n`);
table.close();
server.kill('SIGTERM');
rmSync(stateFile, { force: true });

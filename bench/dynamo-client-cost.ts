/**
 * CPU time of one DynamoDB UpdateItem through the gateway's own client (`lib/store/document-client`)
 * and through the AWS SDK v3 document client it replaced (same options), measured in this process
 * only; the DynamoDB stand-in runs in its own process. Benchmark aid, not part of `npm test`.
 *
 *   npx tsx bench/dynamo-client-cost.ts [--calls 3000] [--conns 10]
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand as SdkUpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, storeAddress } from '../lib/store/client.js';
import { UpdateCommand } from '../lib/store/document-client.js';

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
// The stand-in listens on a Unix socket (`unix:` endpoint): the SDK reaches it through an HTTP agent
// whose connections dial that socket, as the gateway's own client does through undici.
const address = storeAddress(endpoint);
const socketPath = address.socketPath;
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: CONNS });
if (socketPath) httpAgent.createConnection = () => connect(socketPath);
const sdk = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: 'us-east-1',
    maxAttempts: 3,
    endpoint: address.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { httpAgent },
  }),
  { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
);
const ours = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint });
const input = (i: number) => ({
  TableName: 'gateway',
  Key: { pk: 'BENCH#counter', sk: `H#${i % 4}` },
  UpdateExpression: 'ADD #n :one, #t :tokens SET entity = :e, updated_at = :now',
  ExpressionAttributeNames: { '#n': 'requests', '#t': 'tokens' },
  ExpressionAttributeValues: { ':one': 1, ':tokens': 23, ':e': 'bench', ':now': new Date().toISOString() },
});
const clients: Record<string, (i: number) => Promise<unknown>> = {
  gateway: (i) => ours.send(new UpdateCommand(input(i))),
  'aws-sdk': (i) => sdk.send(new SdkUpdateCommand(input(i))),
};

async function run(update: (i: number) => Promise<unknown>, n: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (next < n) await update(next++);
    }),
  );
}
const results: Record<string, unknown> = {};
for (const [name, update] of Object.entries(clients)) {
  await run(update, 500);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(update, CALLS);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  results[name] = {
    clientCpuUsPerCall: Math.round((cpu.user + cpu.system) / CALLS),
    wallMsPerCallAtConcurrency: Math.round((wall / CALLS) * CONNS * 100) / 100,
  };
}
process.stdout.write(`${JSON.stringify({ calls: CALLS, conns: CONNS, ...results })}\n`);
ours.destroy();
httpAgent.destroy();
server.kill('SIGTERM');
rmSync(stateFile, { force: true });

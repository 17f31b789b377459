#!/usr/bin/env node
/**
 * CPU time of one DynamoDB UpdateItem through the AWS SDK v3 document client (the client the
 * gateway uses, same options), measured in this process only; the DynamoDB stand-in runs in its
 * own process. Benchmark aid for the hot-path profile, not part of `npm test`.
 *
 *   node bench/dynamo-client-cost.mjs [--calls 3000] [--conns 10]
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const CALLS = Number(arg('calls', 3000));
const CONNS = Number(arg('conns', 10));
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
let endpoint;
for (let i = 0; i < 300 && !endpoint; i++) {
  await new Promise((r) => setTimeout(r, 100));
  try {
    endpoint = JSON.parse(readFileSync(stateFile, 'utf8')).endpoint;
  } catch {
    /* not yet */
  }
}
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: 'us-east-1',
    maxAttempts: 3,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
);
const update = (i) =>
  doc.send(
    new UpdateCommand({
      TableName: 'gateway',
      Key: { pk: 'BENCH#counter', sk: `H#${i % 4}` },
      UpdateExpression: 'ADD #n :one, #t :tokens SET entity = :e, updated_at = :now',
      ExpressionAttributeNames: { '#n': 'requests', '#t': 'tokens' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':tokens': 23,
        ':e': 'bench',
        ':now': new Date().toISOString(),
      },
    }),
  );
async function run(n) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (next < n) await update(next++);
    }),
  );
}
await run(500);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(CALLS);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({
    calls: CALLS,
    conns: CONNS,
    clientCpuUsPerCall: Math.round((cpu.user + cpu.system) / CALLS),
    wallMsPerCallAtConcurrency: Math.round((wall / CALLS) * CONNS * 100) / 100,
  })}\n`,
);
server.kill('SIGTERM');
rmSync(stateFile, { force: true });

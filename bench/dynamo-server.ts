/**
 * Benchmark helper (not part of `npm test`): the embedded DynamoDB (dynalite) in a process of its
 * own, so that the gateway's CPU per request is measured apart from the database's. The gateway
 * is then started with `DYNAMODB_ENDPOINT` pointing here.
 *
 *   tsx bench/dynamo-server.ts --state run/dynamo.json [--data-dir DIR] [--parent PID]
 *
 * - Creates the table exactly as the stack does (`ensureTable`), in memory unless `--data-dir`.
 * - Counts every DynamoDB operation it serves, by `X-Amz-Target` (GetItem, Query, UpdateItem, ...):
 *   `GET <endpoint>/__bench/ops` answers `{ ops: { GetItem: n, ... }, pid }` (the gateway's client
 *   only ever POSTs to `/`, so the extra path cannot collide).
 * - Writes `{ endpoint, pid, opsUrl }` to `--state` once it is ready.
 * - Exits when `--parent` (a PID) is gone, so a wrapper that `exec`s the gateway needs no cleanup.
 *
 * With `DYNAMODB_ENDPOINT` set the gateway's local change stream is off (the capture only sees
 * writes made in the dynalite process it runs in): stream consumers (the quota enforcer) do not
 * run during these benchmarks, as in AWS where they are separate functions billed apart.
 */

import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { DynamoDbClient } from '../lib/store/dynamodb-client.js';
import type { ChangeCapture } from '../local/change-stream/capture.js';
import { ensureTable, startEmbeddedDynamo } from '../local/dynamo.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const ops: Record<string, number> = {};
/** With BENCH_DYNAMO_TRACE=1: the last 500 requests' operation and keys (`GET /__bench/trace`). */
const trace: Array<{ op: string; at: number; summary: string }> = [];
const tracing = process.env.BENCH_DYNAMO_TRACE === '1';

function summarize(body: string): string {
  try {
    const input = JSON.parse(body) as Record<string, unknown>;
    const { Key, KeyConditionExpression, ExpressionAttributeValues, UpdateExpression, IndexName } = input;
    return JSON.stringify({
      Key,
      IndexName,
      KeyConditionExpression,
      UpdateExpression,
      ExpressionAttributeValues,
    });
  } catch {
    return body.slice(0, 300);
  }
}

/** Wraps the dynalite HTTP server's request handler: counts operations, serves the counts. */
function instrument(server: Server): Server {
  const handlers = server.listeners('request') as Array<(...args: unknown[]) => void>;
  server.removeAllListeners('request');
  server.on('connection', () => {
    ops['(tcp connections)'] = (ops['(tcp connections)'] ?? 0) + 1;
  });
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url === '/__bench/ops') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ops, pid: process.pid }));
      return;
    }
    if (req.method === 'GET' && req.url === '/__bench/trace') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(trace));
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? 'unknown');
    const op = target.slice(target.indexOf('.') + 1);
    ops[op] = (ops[op] ?? 0) + 1;
    if (tracing) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        trace.push({ op, at: Date.now(), summary: summarize(Buffer.concat(chunks).toString('utf8')) });
        if (trace.length > 500) trace.shift();
      });
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
  return server;
}

// `startEmbeddedDynamo` hands its `capture` the function that creates the dynalite server; this
// stand-in uses that hook only to instrument the server (no change records are captured here).
const counting = { install: (start: () => Server) => instrument(start()) } as unknown as ChangeCapture;

const dynamo = await startEmbeddedDynamo({ dataDir: arg('data-dir'), capture: counting });
const tableName = process.env.TABLE_NAME || 'gateway';
const client = new DynamoDbClient({
  endpoint: dynamo.endpoint,
  region: process.env.AWS_REGION || 'us-east-1',
});
await ensureTable(client, tableName);
client.destroy();

const state = { endpoint: dynamo.endpoint, pid: process.pid, opsUrl: `${dynamo.endpoint}/__bench/ops` };
const stateFile = arg('state');
if (stateFile) writeFileSync(stateFile, JSON.stringify(state));
process.stdout.write(`${JSON.stringify(state)}\n`);

const stop = () => dynamo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const parent = Number(arg('parent'));
if (parent > 0) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      stop();
    }
  }, 500).unref();
}

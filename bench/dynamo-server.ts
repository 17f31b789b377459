/**
 * Benchmark helper (not part of `npm test`): the embedded DynamoDB (dynalite) in a process of its
 * own, so that the gateway's CPU per request is measured apart from the database's. The gateway
 * is then started with `DYNAMODB_ENDPOINT` pointing here: `unix:<socket>`, the embedded store's
 * private Unix socket (under `--data-dir`, or in a temporary folder), as the local runtime uses it.
 *
 *   tsx bench/dynamo-server.ts --state run/dynamo.json [--data-dir DIR] [--parent PID]
 *
 * - Creates the table exactly as the stack does (`Table.ensureTable`), in memory unless `--data-dir`.
 * - Counts every DynamoDB operation it serves, by `X-Amz-Target` (GetItem, Query, UpdateItem, ...):
 *   `GET <opsUrl>` answers `{ ops: { GetItem: n, ... }, pid }`, from a separate loopback HTTP server
 *   that serves only these counts (and `/__bench/trace`), never the store.
 * - Writes `{ endpoint, pid, opsUrl }` to `--state` once it is ready.
 * - Exits when `--parent` (a PID) is gone, so a wrapper that `exec`s the gateway needs no cleanup.
 *
 * With `DYNAMODB_ENDPOINT` set the gateway's local change stream is off (the capture only sees
 * writes made in the dynalite process it runs in): stream consumers (the quota enforcer) do not
 * run during these benchmarks, as in AWS where they are separate functions billed apart.
 */

import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createStoreClients } from '../lib/store/client.js';
import { Table } from '../lib/store/table.js';
import type { ChangeCapture } from '../local/change-stream/capture.js';
import { startEmbeddedDynamo } from '../local/dynamo.js';

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

/** Wraps the dynalite HTTP server's request handler: counts operations (and connections). */
function instrument(server: Server): Server {
  const handlers = server.listeners('request') as Array<(...args: unknown[]) => void>;
  server.removeAllListeners('request');
  server.on('connection', () => {
    ops['(connections)'] = (ops['(connections)'] ?? 0) + 1;
  });
  server.on('request', (req, res) => {
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

/** The counts (and the trace), on loopback: they say how many operations ran, not what is stored. */
const opsServer = createServer((req, res) => {
  const body =
    req.url === '/__bench/ops' ? { ops, pid: process.pid } : req.url === '/__bench/trace' ? trace : null;
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? { error: 'not found' }));
});
await new Promise<void>((ready) => opsServer.listen(0, '127.0.0.1', ready));

const dataDirArg = arg('data-dir');
const dynamo = await startEmbeddedDynamo({
  dataDir: dataDirArg ? resolve(dataDirArg) : undefined,
  capture: counting,
});
const tableName = process.env.TABLE_NAME || 'gateway';
const table = new Table(
  createStoreClients({
    AWS_REGION: process.env.AWS_REGION || 'us-east-1',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
  }),
  tableName,
);
await table.ensureTable();
table.close();

const opsPort = (opsServer.address() as AddressInfo).port;
const state = {
  endpoint: dynamo.endpoint,
  pid: process.pid,
  opsUrl: `http://127.0.0.1:${opsPort}/__bench/ops`,
};
const stateFile = arg('state');
if (stateFile) writeFileSync(stateFile, JSON.stringify(state));
process.stdout.write(`${JSON.stringify(state)}\n`);

const stop = () => {
  opsServer.close();
  return dynamo.close().then(() => process.exit(0));
};
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

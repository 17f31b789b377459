import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { handler as authorizer } from '../functions/auth/authorizer.js';
import { handleScheduledEvent } from '../functions/health/scheduled-check.js';
import { loadConfig } from '../lib/config.js';
import { StartupError } from '../lib/errors.js';
import { logger } from '../lib/observability.js';
import { createGateway, type Gateway } from '../lib/runtime/gateway.js';
import { ensureMockProvider } from '../lib/services/catalog/mock.js';
import { startIntervalSchedule } from '../lib/services/health/schedule.js';
import { TABLE_SCHEMA } from '../lib/store/table-schema.js';
import { STREAM_CONSUMERS } from '../lib/streams/consumers.js';
import { resolveLocalAdminKey } from './admin-key.js';
import { removeRunFile, writeRunFile } from './attach.js';
import { ChangeCapture, type LocalStreams, startLocalStreams } from './change-stream/index.js';
import { lockDataDir } from './data-lock.js';
import { openLocalDurability } from './durability.js';
import { startEmbeddedDynamo } from './dynamo.js';
import { createGatewayServer } from './gateway-server.js';

export interface LocalRuntime {
  url: string;
  adminKey: string;
  adminKeyCreated: boolean;
  dataDir: string;
  /** The table's change stream delivered to the stream consumers (embedded DynamoDB only). */
  streams: LocalStreams | undefined;
  /** The gateway instance every handler, consumer and schedule of this runtime runs over. */
  deps: Gateway;
  /** Settles once no request is in flight: handlers, streams and their after-response work (tests). */
  idle(): Promise<void>;
  /** Stops the HTTP server, then the embedded DynamoDB (flushing it to disk). */
  close(): Promise<void>;
}

/**
 * Starts the gateway locally: data folder, bootstrap admin key, embedded DynamoDB (unless
 * `DYNAMODB_ENDPOINT` names another), the table as the stack defines it, and the HTTP server.
 * `env` is the environment to read (tests pass their own; `PORT=0` picks a free port).
 */
export async function startLocalRuntime(
  env: NodeJS.ProcessEnv = process.env,
  options: { now?: () => number } = {},
): Promise<LocalRuntime> {
  const now = options.now ?? Date.now;
  const dataDir = resolve(env.DATA_DIR || '.data');
  // Values out of range are refused before the data folder or a port is touched.
  loadConfig({ ...env, GATEWAY_RUNTIME: 'local', DATA_DIR: dataDir });
  const lock = lockDataDir(dataDir);
  // What started so far, stopped in reverse when a later step fails (the port is taken, ...).
  const started: Array<() => Promise<void> | void> = [() => lock.release()];
  const undo = async () => {
    for (const stop of started.reverse()) {
      try {
        await stop();
      } catch {
        // Best effort: the start already failed with the error that matters.
      }
    }
  };
  try {
    return await startOn(env, { now, dataDir, started, release: () => lock.release() });
  } catch (error) {
    await undo();
    throw error;
  }
}

/** Listens on HOST:PORT; a port in use is one clear line, not a stack trace. */
function listen(server: ReturnType<typeof createGatewayServer>, port: number, host: string): Promise<void> {
  return new Promise<void>((ready, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        fail(
          new StartupError(
            `port ${port} on ${host} is in use by another process; set PORT to a free port (0 picks one)`,
          ),
        );
      } else if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        fail(new StartupError(`cannot listen on ${host}:${port} (${error.code}); set HOST and PORT`));
      } else fail(error);
    });
    server.listen(port, host, () => ready());
  });
}

async function startOn(
  env: NodeJS.ProcessEnv,
  ctx: { now: () => number; dataDir: string; started: Array<() => Promise<void> | void>; release(): void },
): Promise<LocalRuntime> {
  const { now, dataDir, started } = ctx;
  const admin = resolveLocalAdminKey(dataDir, env.ADMIN_API_KEY?.trim() || undefined);
  const capture = env.DYNAMODB_ENDPOINT ? undefined : new ChangeCapture(now);
  const dynamo = env.DYNAMODB_ENDPOINT ? undefined : await startEmbeddedDynamo({ dataDir, capture });
  if (dynamo) started.push(() => dynamo.close());
  const config = loadConfig({
    ...env,
    GATEWAY_RUNTIME: 'local',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: admin.key,
    DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT || dynamo?.endpoint,
    // Locally a revoked key stops at once unless the caller asks for the AWS behaviour.
    AUTH_CACHE_TTL_SECONDS: env.AUTH_CACHE_TTL_SECONDS || '0',
  });
  logger.setLogLevel(config.LOG_LEVEL.toUpperCase() as 'INFO');
  const durability = await openLocalDurability(dataDir, { fsync: config.JOURNAL_FSYNC, now });
  started.push(() => durability.close());
  const deps = createGateway(config, { now, durable: durability.log });
  started.push(() => deps.close());
  await deps.table.ensureTable();
  await deps.apiKeyPepper(); // creates DATA_DIR/api-key-pepper (0600) on first start
  if (config.MOCK_PROVIDER === 'on') {
    await ensureMockProvider(deps, { keyId: 'local-runtime', requestId: 'startup', sourceIp: '' });
  }
  const streams = capture
    ? await startLocalStreams({
        capture,
        tableName: config.TABLE_NAME,
        region: config.AWS_REGION,
        consumers: STREAM_CONSUMERS,
        ttlAttribute: TABLE_SCHEMA.ttlAttribute,
        now,
        deps,
      })
    : undefined;
  if (streams) started.push(() => streams.stop());
  // Before serving: what a killed run journaled is counted, and its lost change records made good.
  await durability.recover(deps);
  const server = createGatewayServer({
    deps,
    authorizer: authorizer.forGateway(deps),
    maxInFlight: config.LOCAL_MAX_IN_FLIGHT,
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, config.PORT, config.HOST);
  const { port } = server.address() as AddressInfo;
  if (dynamo) writeRunFile(dataDir, dynamo.endpoint);
  // The EventBridge schedule's stand-in: the same health function every HEALTH_CHECK_INTERVAL.
  const healthSchedule =
    config.HEALTH_SCHEDULE === 'on'
      ? startIntervalSchedule({
          intervalMs: config.HEALTH_CHECK_INTERVAL * 1000,
          run: (event, options) => handleScheduledEvent(deps, event, options),
        })
      : undefined;
  return {
    url: `http://${config.HOST}:${port}`,
    adminKey: admin.key,
    adminKeyCreated: admin.created,
    dataDir,
    streams,
    deps,
    idle: () => server.idle(),
    close: async () => {
      await healthSchedule?.stop();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      // Work a handler does after its response (usage writes) finishes before the table closes.
      await server.idle();
      await streams?.stop();
      // The instance finishes what it holds (group-committed writes), then closes its clients.
      await deps.close();
      await durability.close();
      if (dynamo) removeRunFile(dataDir);
      await dynamo?.close();
      ctx.release();
    },
  };
}

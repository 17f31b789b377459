import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { handler as authorizer } from '../functions/auth/authorizer.js';
import { loadConfig, resetConfig } from '../lib/config.js';
import { logger } from '../lib/observability.js';
import { createDeps, setDeps } from '../lib/runtime/deps.js';
import { resolveLocalAdminKey } from './admin-key.js';
import { removeRunFile, writeRunFile } from './attach.js';
import { ensureTable, startEmbeddedDynamo } from './dynamo.js';
import { createGatewayServer } from './gateway-server.js';

export interface LocalRuntime {
  url: string;
  adminKey: string;
  adminKeyCreated: boolean;
  dataDir: string;
  /** Stops the HTTP server, then the embedded DynamoDB (flushing it to disk). */
  close(): Promise<void>;
}

/**
 * Starts the gateway locally: data folder, bootstrap admin key, embedded DynamoDB (unless
 * `DYNAMODB_ENDPOINT` names another), the table as the stack defines it, and the HTTP server.
 * `env` is the environment to read (tests pass their own; `PORT=0` picks a free port).
 */
export async function startLocalRuntime(env: NodeJS.ProcessEnv = process.env): Promise<LocalRuntime> {
  const dataDir = resolve(env.DATA_DIR || '.data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const admin = resolveLocalAdminKey(dataDir, env.ADMIN_API_KEY?.trim() || undefined);
  const dynamo = env.DYNAMODB_ENDPOINT ? undefined : await startEmbeddedDynamo({ dataDir });
  const config = loadConfig({
    ...env,
    GATEWAY_RUNTIME: 'local',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: admin.key,
    DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT || dynamo?.endpoint,
  });
  resetConfig(config);
  logger.setLogLevel(config.LOG_LEVEL.toUpperCase() as 'INFO');
  const deps = createDeps(config);
  setDeps(deps);
  await ensureTable(deps.table.client as unknown as DynamoDBClient, config.TABLE_NAME);
  const server = createGatewayServer({ authorizer });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(config.PORT, config.HOST, () => ready());
  });
  const { port } = server.address() as AddressInfo;
  if (dynamo) writeRunFile(dataDir, dynamo.endpoint);
  return {
    url: `http://${config.HOST}:${port}`,
    adminKey: admin.key,
    adminKeyCreated: admin.created,
    dataDir,
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      if (dynamo) removeRunFile(dataDir);
      await dynamo?.close();
      setDeps(undefined);
    },
  };
}

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, loadConfig } from '../lib/config.js';
import { createGateway, type Gateway } from '../lib/runtime/gateway.js';
import { lockDataDir } from './data-lock.js';
import { startEmbeddedDynamo } from './dynamo.js';

const RUN_FILE = 'dynamodb-endpoint.json';

/**
 * Records where a running local gateway's embedded DynamoDB listens (`unix:<socket path>`), for the
 * tools to attach to it. The file is 0600 in DATA_DIR; the socket it names is 0600 too.
 */
export function writeRunFile(dataDir: string, endpoint: string): void {
  writeFileSync(join(dataDir, RUN_FILE), JSON.stringify({ endpoint, pid: process.pid }), { mode: 0o600 });
}

export function removeRunFile(dataDir: string): void {
  rmSync(join(dataDir, RUN_FILE), { force: true });
}

function runningEndpoint(dataDir: string): string | undefined {
  const file = join(dataDir, RUN_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { endpoint, pid } = JSON.parse(readFileSync(file, 'utf8')) as { endpoint: string; pid: number };
    process.kill(pid, 0);
    return endpoint;
  } catch {
    return undefined;
  }
}

/**
 * Dependencies for a command-line tool (`npm run init`, `npm run rewrap`): in AWS mode (or with
 * `DYNAMODB_ENDPOINT`) the configured table; locally the running gateway's embedded DynamoDB if one
 * is up (LevelDB allows one process), else the embedded DynamoDB opened from DATA_DIR.
 */
export async function openToolDeps(env: NodeJS.ProcessEnv = process.env): Promise<{
  deps: Gateway;
  config: Config;
  close(): Promise<void>;
}> {
  const local = (env.GATEWAY_RUNTIME ?? 'local') === 'local';
  const dataDir = resolve(env.DATA_DIR || '.data');
  let endpoint = env.DYNAMODB_ENDPOINT || (local ? runningEndpoint(dataDir) : undefined);
  // Opening the folder itself, the tool holds it as a gateway would: a start meanwhile names its pid.
  const lock = local && !endpoint ? lockDataDir(dataDir) : undefined;
  let embedded: Awaited<ReturnType<typeof startEmbeddedDynamo>> | undefined;
  try {
    embedded = lock ? await startEmbeddedDynamo({ dataDir }) : undefined;
  } catch (error) {
    lock?.release();
    throw error;
  }
  endpoint ||= embedded?.endpoint;
  const config = loadConfig({
    ...env,
    GATEWAY_RUNTIME: local ? 'local' : 'aws',
    DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: endpoint,
  });
  const deps = createGateway(config);
  if (local) await deps.table.ensureTable();
  return {
    deps,
    config,
    close: async () => {
      await deps.close();
      await embedded?.close();
      lock?.release();
    },
  };
}

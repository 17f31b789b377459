/**
 * The one harness for tests of services over the real store without the HTTP front: an in-memory
 * embedded DynamoDB with the gateway's table (created as the stack creates it), gateway instances
 * on it (each its own caches, leases and clients: what a Lambda container is) reading a clock the
 * test moves, and an ordered close. Start it once per file (`beforeAll`), close it in `afterAll`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../lib/config.js';
import type { KeyProvider } from '../../lib/crypto/key-provider.js';
import { logger } from '../../lib/observability.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../lib/runtime/gateway.js';
import type { Item } from '../../lib/store/table.js';
import { startEmbeddedDynamo } from '../../local/dynamo.js';
import { TestClock } from './clock.js';
import { closeSiblings } from './instances.js';
import { openRawStore, type RawStore } from './store.js';

export interface StoreHarnessOptions {
  /** Configuration every instance starts from (over the harness's: local runtime, its store and folder). */
  env?: Record<string, string>;
  /** The clock instances read unless told otherwise (default: a manual {@link TestClock}). */
  clock?: TestClock;
  /** The credential master-key provider of every instance (default: the local key file under DATA_DIR). */
  keyProvider?: KeyProvider;
}

/** What one instance may change: its configuration, its clock, the clients it is given. */
export interface InstanceOptions extends Omit<GatewayOptions, 'now' | 'keyProvider'> {
  /** Configuration fields over the harness's `env`. */
  env?: Record<string, string>;
  now?: () => number;
  keyProvider?: KeyProvider;
}

export interface StoreHarness {
  readonly clock: TestClock;
  /** The store's `DYNAMODB_ENDPOINT`. */
  readonly endpoint: string;
  /** The instances' `DATA_DIR` (local master key, pepper), removed on close. */
  readonly dataDir: string;
  /** The configuration of {@link StoreHarness.deps}. */
  readonly config: Config;
  /** The first instance, made at start on the harness clock. */
  readonly deps: Gateway;
  /** A new instance on the same table (cold caches), closed with the harness. */
  instance(options?: InstanceOptions): Gateway;
  /** Every item of the table, whatever its TTL (a full scan). */
  scan(): Promise<Item[]>;
  /** Closes every instance (held work first), then the raw reader, the store and the folder. */
  close(): Promise<void>;
}

/**
 * Starts the embedded store and creates the table. Logs below ERROR are silenced unless `env`
 * sets `LOG_LEVEL`. Fails when the store cannot start or the table cannot be created.
 */
export async function startStoreHarness(options: StoreHarnessOptions = {}): Promise<StoreHarness> {
  const dynamo = await startEmbeddedDynamo();
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-store-'));
  const clock = options.clock ?? new TestClock();
  const baseEnv = {
    GATEWAY_RUNTIME: 'local',
    DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME: `test_${Math.random().toString(36).slice(2, 8)}`,
    LOG_LEVEL: 'ERROR',
    ...options.env,
  };
  logger.setLogLevel(baseEnv.LOG_LEVEL.toUpperCase() as 'ERROR');
  const opened: Gateway[] = [];
  let raw: RawStore | undefined;

  const instance = (changes: InstanceOptions = {}): Gateway => {
    const { env, now = clock.now, keyProvider = options.keyProvider, ...rest } = changes;
    const deps = createGateway(loadConfig({ ...baseEnv, ...env }), {
      now,
      ...(keyProvider ? { keyProvider: async () => keyProvider } : {}),
      ...rest,
    });
    opened.push(deps);
    return deps;
  };

  const deps = instance();
  try {
    await deps.table.ensureTable();
  } catch (error) {
    await deps.close();
    await dynamo.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    clock,
    endpoint: dynamo.endpoint,
    dataDir,
    config: deps.config,
    deps,
    instance,
    async scan() {
      raw ??= openRawStore(deps.config);
      return raw.scan();
    },
    close() {
      closing ??= (async () => {
        // Instances first: their close finishes deferred writes, which need the store.
        await closeSiblings(dynamo.endpoint);
        await Promise.all(opened.splice(0).map((d) => d.close()));
        raw?.close();
        await dynamo.close();
        await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

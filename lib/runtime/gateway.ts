import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAdapterDeps } from '../adapters/adapter-deps.js';
import type { AdapterDeps } from '../adapters/contract.js';
import { type PepperSource, pepperSourceFor } from '../auth/pepper.js';
import { type ParkQueue, sqsParkQueue } from '../aws/park-queue.js';
import type { Config } from '../config.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import { createEventBus, type EventBus } from '../events/bus.js';
import { parseAllowedPrivateUpstreams, type UpstreamPolicy } from '../net/upstream-address.js';
import { lazyKeyProvider, lazySecretsManager } from '../services/credentials/clients.js';
import { type DurableLog, parkingLog } from '../services/durable/log.js';
import { SlotStore, type StateSlot } from '../state-slots.js';
import { createStoreClients } from '../store/client.js';
import { Table } from '../store/table.js';

/**
 * The gateway instance: everything services need from the outside world, created once per Lambda
 * container (or local runtime, or test) from the configuration, and handed to every handler and
 * service. It holds the table, the upstream view (one HTTP client, one SSRF policy, one clock),
 * the key and secret clients, the event bus and the instance's state ({@link StateSlot}), and closes
 * them in order.
 */
export interface Gateway {
  readonly config: Config;
  readonly table: Table;
  readonly upstreamPolicy: UpstreamPolicy;
  /**
   * The provider layer's view: the one upstream HTTP client (AI calls and health probes alike), the
   * SSRF policy, the AWS region, and the wall clock that deadlines are measured on.
   */
  readonly upstream: AdapterDeps;
  /** The secret API-key HMACs are keyed with (Secrets Manager in AWS, a file locally); read once. */
  readonly apiKeyPepper: PepperSource;
  /** Milliseconds since the epoch; tests move it. */
  readonly now: () => number;
  /**
   * The credential master-key provider, opened on first use and then shared: KMS
   * (`CREDENTIAL_KEY_ID`) in AWS, `DATA_DIR/master-keys.json` locally. Async so that creating the
   * instance stays synchronous and functions that never touch a credential never load KMS.
   */
  keyProvider(): Promise<KeyProvider>;
  /** Secrets Manager client for `secret_ref` credentials, created on first use (3 attempts). */
  secretsManager(): Promise<SecretsManagerClient>;
  /** Domain events (incident opened/resolved): EventBridge in AWS, in memory locally. */
  readonly events: EventBus;
  /**
   * Durability of the writes that follow an answer (usage, strict-quota settlements): the journal
   * in DATA_DIR locally, the park queue in AWS (see `lib/services/durable/log.ts`).
   */
  readonly durable: DurableLog;
  /**
   * This instance's value of a {@link StateSlot} (routing snapshot, credential caches, rate-limit
   * leases, group-committed usage writes, health and price caches), created on first use.
   */
  state<T>(slot: StateSlot<Gateway, T>): T;
  /**
   * Finishes the instance's held work (its slots' `close`, newest first), then closes the upstream
   * client, the AWS clients and the table client. Idempotent; the instance is unusable after.
   */
  close(): Promise<void>;
}

/** Options of {@link createGateway} beyond the configuration. */
export interface GatewayOptions {
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** A provider view to use instead of one built from the configuration (tests with a fake DNS). */
  upstream?: AdapterDeps;
  /** A key provider instead of the configured one (tests of KMS faults and re-wraps). */
  keyProvider?: () => Promise<KeyProvider>;
  /** A Secrets Manager client factory instead of the configured one (tests). */
  secretsManager?: () => Promise<SecretsManagerClient>;
  /** The durable log (the local runtime passes its journal; default: the park queue, if configured). */
  durable?: DurableLog;
  /** A park queue instead of the configured SQS one (tests). */
  parkQueue?: ParkQueue;
}

/** Builds a gateway instance from a configuration (one document client, one upstream client). */
export function createGateway(config: Config, options: GatewayOptions | (() => number) = {}): Gateway {
  const opts: GatewayOptions = typeof options === 'function' ? { now: options } : options;
  const { now = Date.now, upstream: givenUpstream } = opts;
  const secretsManager = opts.secretsManager ?? lazySecretsManager(config);
  const keyProvider = opts.keyProvider ?? lazyKeyProvider(config);
  const upstreamPolicy = { allowedPrivate: parseAllowedPrivateUpstreams(config.ALLOWED_PRIVATE_UPSTREAMS) };
  const upstream =
    givenUpstream ??
    // Upstream deadlines and timeouts are wall-clock time, whatever clock the instance's records use.
    createAdapterDeps({
      policy: upstreamPolicy,
      defaultTimeoutSeconds: config.PROVIDER_REQUEST_TIMEOUT,
      region: config.AWS_REGION,
    });
  const parkQueue =
    opts.parkQueue ??
    (config.DURABLE_PARK_QUEUE_URL
      ? sqsParkQueue({ queueUrl: config.DURABLE_PARK_QUEUE_URL, region: config.AWS_REGION })
      : undefined);
  const durable = opts.durable ?? parkingLog(parkQueue);
  const table = new Table(createStoreClients(config), config.TABLE_NAME, now);
  let closing: Promise<void> | undefined;
  const deps: Gateway = {
    config,
    table,
    upstreamPolicy,
    upstream,
    apiKeyPepper: pepperSourceFor(config, secretsManager),
    now,
    keyProvider,
    secretsManager,
    events: createEventBus(config),
    durable,
    state: (slot) => slots.get(slot),
    close() {
      closing ??= (async () => {
        await slots.close();
        await upstream.close();
        table.close();
      })();
      return closing;
    },
  };
  const slots = new SlotStore<Gateway>(deps);
  return deps;
}

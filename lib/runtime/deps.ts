import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type PepperSource, pepperSourceFor } from '../auth/pepper.js';
import { type Config, getConfig } from '../config.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import { createEventBus, type EventBus } from '../events/bus.js';
import { parseAllowedPrivateUpstreams, type UpstreamPolicy } from '../net/upstream-address.js';
import { lazyKeyProvider, lazySecretsManager } from '../services/credentials/clients.js';
import { createStoreClients } from '../store/client.js';
import { Table } from '../store/table.js';

/**
 * What services need from the outside world, created once per container and injectable in tests.
 * Only this module reads configuration into clients; services receive `Deps`.
 */
export interface Deps {
  config: Config;
  table: Table;
  upstreamPolicy: UpstreamPolicy;
  /** The secret API-key HMACs are keyed with (Secrets Manager in AWS, a file locally); read once. */
  apiKeyPepper: PepperSource;
  /** Milliseconds since the epoch; tests move it. */
  now: () => number;
  /**
   * The credential master-key provider, opened on first use and then shared: KMS
   * (`CREDENTIAL_KEY_ID`) in AWS, `DATA_DIR/master-keys.json` locally. Async so that `createDeps`
   * stays synchronous and functions that never touch a credential never load KMS.
   */
  keyProvider: () => Promise<KeyProvider>;
  /** Secrets Manager client for `secret_ref` credentials, created on first use (3 attempts). */
  secretsManager: () => Promise<SecretsManagerClient>;
  /** Domain events (incident opened/resolved): EventBridge in AWS, in memory locally. */
  events: EventBus;
}

let current: Deps | undefined;

/** Builds dependencies from a configuration (one DynamoDB client per container). */
export function createDeps(config: Config, now: () => number = Date.now): Deps {
  const secretsManager = lazySecretsManager(config);
  return {
    config,
    table: new Table(createStoreClients(config), config.TABLE_NAME, now),
    upstreamPolicy: { allowedPrivate: parseAllowedPrivateUpstreams(config.ALLOWED_PRIVATE_UPSTREAMS) },
    apiKeyPepper: pepperSourceFor(config, secretsManager),
    now,
    keyProvider: lazyKeyProvider(config),
    secretsManager,
    events: createEventBus(config),
  };
}

/** The container's dependencies, created from the environment on first use. */
export function getDeps(): Deps {
  current ??= createDeps(getConfig());
  return current;
}

/** Replaces the container's dependencies (the local runtime and tests). */
export function setDeps(deps: Deps | undefined): void {
  current = deps;
}

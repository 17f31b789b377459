/**
 * Shared harness of the credential service tests: real `Gateway` on an in-memory embedded DynamoDB
 * (the table created as the stack creates it), a local master key under a temp DATA_DIR, a clock the
 * test moves, and helpers to create providers and read raw items.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config.js';
import type { KeyProvider } from '../../../lib/crypto/key-provider.js';
import { logger } from '../../../lib/observability.js';
import type { Gateway } from '../../../lib/runtime/gateway.js';
import { createGateway } from '../../../lib/runtime/gateway.js';
import type { Actor } from '../../../lib/services/actor.js';
import { createProvider } from '../../../lib/services/providers/service.js';
import { keys } from '../../../lib/store/keys.js';
import type { Item } from '../../../lib/store/table.js';
import { startEmbeddedDynamo } from '../../../local/dynamo.js';
import { openRawStore } from '../../support/store.js';

export const ACTOR: Actor = { keyId: 'key_test_admin', requestId: 'req-test', sourceIp: '127.0.0.1' };

/** A fake provider key made at run time: obviously fake, unique per call, never committed. */
export function fakeKey(label = 'unit'): string {
  return `fake-${label}-key-${randomBytes(10).toString('hex')}`;
}

export interface Harness {
  deps: Gateway;
  dataDir: string;
  /** The test clock (ms); move it with `advance`. */
  now(): number;
  advance(ms: number): void;
  provider(type?: string, name?: string): Promise<string>;
  /** The raw stored item of a credential. */
  rawItem(credentialId: string): Promise<Item>;
  /** Every item of the table (a full scan). */
  scan(): Promise<Item[]>;
  close(): Promise<void>;
}

/**
 * Starts a harness. `env` overrides configuration; `keyProvider` replaces the local master key
 * (e.g. a KMS provider on a mocked client).
 */
export async function startHarness(
  options: { env?: Record<string, string>; keyProvider?: KeyProvider } = {},
) {
  logger.setLogLevel('ERROR');
  const dynamo = await startEmbeddedDynamo();
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-cred-'));
  const config = loadConfig({
    GATEWAY_RUNTIME: 'local',
    DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME: 'credentials-test',
    ...options.env,
  });
  let clock = Date.parse('2030-01-01T00:00:00.000Z');
  const injected = options.keyProvider;
  const deps = createGateway(config, {
    now: () => clock,
    ...(injected ? { keyProvider: async () => injected } : {}),
  });
  await deps.table.ensureTable();
  let providers = 0;
  const harness: Harness = {
    deps,
    dataDir,
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
    async provider(type = 'openai', name) {
      providers += 1;
      const body = {
        name: name ?? `p-${providers}`,
        provider_type: type,
        service_types: ['llm'],
      } as Parameters<typeof createProvider>[1];
      return (await createProvider(deps, body, ACTOR)).id;
    },
    async rawItem(credentialId) {
      const item = await deps.table.get(keys.credential(credentialId));
      if (!item) throw new Error(`no credential ${credentialId}`);
      return item;
    },
    async scan() {
      const raw = openRawStore(config);
      try {
        return await raw.scan();
      } finally {
        raw.close();
      }
    },
    async close() {
      await deps.close();
      await dynamo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A key provider that delegates and counts calls per operation (to measure KMS use). */
export class CountingKeyProvider implements KeyProvider {
  readonly calls = { generate: 0, decrypt: 0, rewrap: 0 };
  constructor(readonly inner: KeyProvider) {}
  currentKeyId(): string {
    return this.inner.currentKeyId();
  }
  generateDataKey(...args: Parameters<KeyProvider['generateDataKey']>) {
    this.calls.generate += 1;
    return this.inner.generateDataKey(...args);
  }
  decryptDataKey(...args: Parameters<KeyProvider['decryptDataKey']>) {
    this.calls.decrypt += 1;
    return this.inner.decryptDataKey(...args);
  }
  rewrapDataKey(...args: Parameters<KeyProvider['rewrapDataKey']>) {
    this.calls.rewrap += 1;
    return this.inner.rewrapDataKey(...args);
  }
}

/** Everything a value could leak through: the raw text, base64 and hex encodings. */
export function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

/**
 * Harness of the health unit tests: real `Gateway` on an in-memory embedded DynamoDB, a clock the
 * test moves, providers created through the provider service, and a probe whose answer per
 * provider the test sets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config.js';
import type { LocalEventBus } from '../../../lib/events/bus.js';
import { logger } from '../../../lib/observability.js';
import { createGateway, type Gateway } from '../../../lib/runtime/gateway.js';
import type { ProbeResult, ProviderProbe } from '../../../lib/services/health/types.js';
import { createProvider } from '../../../lib/services/providers/service.js';
import { startEmbeddedDynamo } from '../../../local/dynamo.js';

export const ACTOR = { keyId: 'key_test_admin', requestId: 'req-test', sourceIp: '127.0.0.1' };
export const T0 = Date.parse('2031-03-01T00:00:00.000Z');

export interface HealthHarness {
  deps: Gateway;
  events: LocalEventBus;
  now(): number;
  advance(ms: number): void;
  /** Creates an active provider (custom type by default, allow-listed loopback base URL). */
  provider(
    name: string,
    baseUrl?: string,
    type?: 'custom' | 'openai' | 'anthropic' | 'cohere',
  ): Promise<string>;
  /** A probe answering per provider id from `answers` (default ok, 10 ms), counting calls. */
  probe: ProviderProbe & { answers: Map<string, ProbeResult>; calls: number };
  close(): Promise<void>;
}

export async function startHealthHarness(env: Record<string, string> = {}): Promise<HealthHarness> {
  logger.setLogLevel('ERROR');
  const dynamo = await startEmbeddedDynamo();
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-health-'));
  const config = loadConfig({
    GATEWAY_RUNTIME: 'local',
    DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME: 'health-test',
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1',
    ...env,
  });
  let clock = T0;
  const deps = createGateway(config, () => clock);
  const events = deps.events as LocalEventBus;
  await deps.table.ensureTable();
  const answers = new Map<string, ProbeResult>();
  const probe = Object.assign(
    async (input: Parameters<ProviderProbe>[0]) => {
      probe.calls += 1;
      return answers.get(input.provider.id) ?? { ok: true, status: 200, latencyMs: 10 };
    },
    { answers, calls: 0 },
  );
  return {
    deps,
    events,
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
    async provider(name, baseUrl = 'http://127.0.0.1:9/v1', type = 'custom') {
      const body = { name, provider_type: type, service_types: ['llm' as const], base_url: baseUrl };
      return (await createProvider(deps, body, ACTOR)).id;
    },
    probe,
    async close() {
      deps.table.close();
      await dynamo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

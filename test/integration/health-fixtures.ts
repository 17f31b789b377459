/**
 * Fixtures of the health and incident tests: a test gateway (the real local runtime, handlers over
 * sockets, embedded DynamoDB) with loopback upstreams allowed, the in-process schedule off (the
 * tests deliver scheduled events themselves), and a clock the test moves (checks, TTLs and incident
 * durations all read it); and, for tests of the health services on the store harness, its
 * configuration and providers made through the provider service.
 */

import { handleScheduledEvent } from '../../functions/health/scheduled-check.js';
import type { LocalEventBus } from '../../lib/events/bus.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import type { RunReport } from '../../lib/services/health/scheduled.js';
import { createProvider } from '../../lib/services/providers/service.js';
import { TestClock } from '../support/clock.js';
import { ACTOR } from '../support/principals.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import type { StoreHarnessOptions } from '../support/store-harness.js';

/** The first instant of the test clock; slot `n` is `T0 + n × interval`. */
export const T0 = Date.parse('2031-03-01T00:00:00.000Z');

/** Store harness options of the health service tests: loopback providers allowed, the clock at T0. */
export function healthStore(): StoreHarnessOptions {
  return { env: { ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1' }, clock: new TestClock(T0) };
}

/** Creates an active `llm` provider (custom type by default, an allow-listed loopback base URL); returns its id. */
export async function healthProvider(
  deps: Gateway,
  name: string,
  baseUrl = 'http://127.0.0.1:9/v1',
  type: 'custom' | 'openai' | 'anthropic' | 'cohere' = 'custom',
): Promise<string> {
  const body = { name, provider_type: type, service_types: ['llm' as const], base_url: baseUrl };
  return (await createProvider(deps, body, ACTOR)).id;
}

export interface HealthGateway {
  gw: TestGateway;
  deps: Gateway;
  intervalMs: number;
  /** The clock of every service of the gateway. */
  clock: TestClock;
  /** Moves the clock to slot `n` and returns its ISO instant. */
  slot(n: number): string;
  /** The ISO instant of slot `n` (the clock stays). */
  timeOf(n: number): string;
  /** Delivers one scheduled event (`id`, `time`) to the health function. */
  deliver(id: string, time: string, budgetMs?: number): Promise<RunReport>;
  /** `incident.*` events published so far, oldest first. */
  incidentEvents(): Array<{ type: string; detail: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startHealthGateway(env: Record<string, string> = {}): Promise<HealthGateway> {
  const clock = new TestClock(T0);
  const gw = await startTestGateway(
    { ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1', HEALTH_SCHEDULE: 'off', ...env },
    { now: clock.now },
  );
  const { deps } = gw.runtime;
  const intervalMs = deps.config.HEALTH_CHECK_INTERVAL * 1000;
  return {
    gw,
    deps,
    intervalMs,
    clock,
    slot(n) {
      clock.set(T0 + n * intervalMs);
      return new Date(clock.ms).toISOString();
    },
    timeOf: (n) => new Date(T0 + n * intervalMs).toISOString(),
    deliver: (id, time, budgetMs = 10_000) => handleScheduledEvent(deps, { id, time }, { budgetMs }),
    incidentEvents: () =>
      (deps.events as LocalEventBus)
        .published()
        .filter((e) => e.type.startsWith('incident.'))
        .map((e) => ({ type: e.type, detail: e.detail })),
    stop: () => gw.stop(),
  };
}

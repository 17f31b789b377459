import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { checkCircuit } from '../../lib/services/routing/circuit.js';
import { type Candidate, resolveRoute } from '../../lib/services/routing/resolve.js';
import { keys } from '../../lib/store/keys.js';
import { TestClock } from '../support/clock.js';
import {
  addModel,
  addProvider,
  addRule,
  type FakeUpstream,
  fail,
  fakeUpstream,
  fetchAttempt,
  ok,
  routeAndCall,
} from '../support/routing.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

const THRESHOLD = 3;
const OPEN_MS = 30_000;
const TTL_MS = 10_000;

let h: StoreHarness;
let flaky: FakeUpstream;
let spare: FakeUpstream;
const clock = new TestClock();
const urls = new Map<string, string>();
let primaryId = '';

beforeAll(async () => {
  h = await startStoreHarness({
    env: {
      ROUTING_CACHE_TTL: String(TTL_MS / 1000),
      CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD),
      CIRCUIT_FAILURE_WINDOW_SECONDS: '60',
      CIRCUIT_OPEN_SECONDS: String(OPEN_MS / 1000),
    },
    clock,
  });
  flaky = await fakeUpstream(fail(503));
  spare = await fakeUpstream(ok());
  const admin = h.deps;
  const primary = await addProvider(admin, 'cb-primary');
  const fallback = await addProvider(admin, 'cb-fallback');
  for (const p of [primary, fallback]) await addModel(admin, p.id, { model_id: 'cb-model' });
  urls.set(primary.id, flaky.url);
  urls.set(fallback.id, spare.url);
  primaryId = primary.id;
  await addRule(admin, {
    rule_name: 'cb',
    rule_type: 'primary_fallback',
    service_type: 'llm',
    model_pattern: 'cb-model',
    provider_ids: [primary.id, fallback.id],
    retry_policy: { max_attempts: 2, backoff_base_ms: 10, backoff_max_ms: 50 },
  });
});
afterAll(async () => {
  await Promise.all([flaky.close(), spare.close()]);
  await h.close();
});

const attempt = fetchAttempt((c: Candidate) => urls.get(c.provider.id)!);

async function send(deps: Gateway): Promise<'primary' | 'fallback'> {
  const out = await routeAndCall(deps, { model: 'cb-model', attempt });
  return out.candidate.provider.id === primaryId ? 'primary' : 'fallback';
}

describe('routing: circuit breaker shared by every instance', () => {
  const instances: Gateway[] = [];

  it(`opens after ${THRESHOLD} failures: then no request reaches the failing upstream`, async () => {
    for (let i = 0; i < 8; i++) instances.push(h.instance());
    const [first, stale] = instances as [Gateway, Gateway];
    await resolveRoute(stale, { serviceType: 'llm', model: 'cb-model' }); // caches "closed"
    for (let i = 0; i < THRESHOLD; i++) expect(await send(first)).toBe('fallback');
    expect(flaky.hits).toBe(THRESHOLD);
    const stored = await first.table.get(keys.circuit(primaryId));
    expect(stored).toMatchObject({ state: 'open', failures: THRESHOLD });
    for (let i = 0; i < 10; i++) expect(await send(first)).toBe('fallback');
    expect(flaky.hits).toBe(THRESHOLD);
    // An instance whose cache predates the opening may send one more (bounded by the TTL), and
    // learns the state from its own failure write at once.
    expect(await send(stale)).toBe('fallback');
    const afterStale = flaky.hits;
    expect(afterStale).toBeLessThanOrEqual(THRESHOLD + 1);
    for (let i = 0; i < 5; i++) expect(await send(stale)).toBe('fallback');
    // Every other instance learns it at its next refresh.
    clock.advance(TTL_MS + 1);
    await Promise.all(instances.map((d) => send(d)));
    expect(flaky.hits).toBe(afterStale);
  });

  it('lets exactly one probe through when many instances try at once; a failed probe reopens', async () => {
    clock.advance(OPEN_MS);
    const before = flaky.hits;
    const results = await Promise.all(instances.flatMap((d) => [send(d), send(d)]));
    expect(flaky.hits - before).toBe(1);
    expect(results.every((r) => r === 'fallback')).toBe(true);
    const stored = await instances[0]!.table.get(keys.circuit(primaryId));
    expect(stored).toMatchObject({ state: 'open' });
    expect(Number(stored?.open_until)).toBeGreaterThan(clock.ms);
  });

  it('closes on a successful probe; traffic returns to the primary', async () => {
    flaky.respond = ok();
    clock.advance(OPEN_MS + 1);
    const before = flaky.hits;
    const results = await Promise.all(instances.map((d) => send(d)));
    expect(flaky.hits - before).toBe(1);
    expect(results.filter((r) => r === 'primary')).toHaveLength(1);
    const stored = await instances[0]!.table.get(keys.circuit(primaryId));
    expect(stored).toMatchObject({ state: 'closed', failures: 0 });
    expect(stored?.gsi1pk).toBeUndefined();
    // The prober knows at once; the others at their next refresh.
    clock.advance(TTL_MS + 1);
    const after = await Promise.all(instances.map((d) => send(d)));
    expect(after.every((r) => r === 'primary')).toBe(true);
    expect(checkCircuit(instances[3]!, { providerId: primaryId }, clock.ms).status).toBe('closed');
  });

  it('writes nothing on ordinary successes', async () => {
    const deps = instances[0]!;
    const before = await deps.table.get(keys.circuit(primaryId));
    for (let i = 0; i < 5; i++) expect(await send(deps)).toBe('primary');
    expect(await deps.table.get(keys.circuit(primaryId))).toEqual(before);
  });

  it('holds an upstream Retry-After as a cooldown for every instance', async () => {
    flaky.respond = fail(429, { 'retry-after': '20' });
    const [a, b] = instances as [Gateway, Gateway];
    expect(await send(a)).toBe('fallback');
    const cooled = flaky.hits;
    expect(await send(a)).toBe('fallback');
    clock.advance(TTL_MS + 1);
    expect(await send(b)).toBe('fallback');
    expect(flaky.hits).toBe(cooled);
    flaky.respond = ok();
    clock.advance(20_000);
    expect(await send(b)).toBe('primary');
  });
});

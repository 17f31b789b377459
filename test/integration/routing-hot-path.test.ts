import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { type Candidate, resolveRoute } from '../../lib/services/routing/resolve.js';
import { TestClock } from '../support/clock.js';
import {
  addModel,
  addProvider,
  addRule,
  type FakeUpstream,
  fakeUpstream,
  fetchAttempt,
  ok,
  routeAndCall,
} from '../support/routing.js';
import { mockStore, throttlingError } from '../support/store.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

let h: StoreHarness;
let upstream: FakeUpstream;
const clock = new TestClock();

beforeAll(async () => {
  // Admin instances write on real time; the instances measured read the manual clock.
  h = await startStoreHarness({ env: { ROUTING_CACHE_TTL: '60' }, clock: TestClock.wall() });
  upstream = await fakeUpstream(ok());
});
afterAll(async () => {
  await upstream.close();
  await h.close();
});

/** Counts the DynamoDB operations an instance sends, by name. */
function countOperations(deps: Gateway) {
  const counts: Record<string, number> = {};
  deps.table.observe((operation) => {
    counts[operation] = (counts[operation] ?? 0) + 1;
  });
  return counts;
}

describe('routing: the hot path in steady state', () => {
  it('reads nothing and writes nothing per request (least_latency, no limits, healthy)', async () => {
    const admin = h.instance();
    const [a, b] = [await addProvider(admin, 'hp-a'), await addProvider(admin, 'hp-b')];
    for (const p of [a, b]) await addModel(admin, p.id, { model_id: 'hp-model' });
    await addRule(admin, {
      rule_name: 'hp',
      rule_type: 'least_latency',
      service_type: 'llm',
      model_pattern: 'hp-model',
      provider_ids: [a.id, b.id],
    });
    const deps = h.instance({ now: clock.now });
    const send = () =>
      routeAndCall(deps, {
        model: 'hp-model',
        attempt: fetchAttempt((_c: Candidate) => upstream.url),
        // Latency measured on the manual clock: machine load cannot make a figure "change".
        clock: clock.executorClock(),
        timeoutMs: 5_000,
      });
    // Warm-up: the snapshot is read and each pair's first latency figure is shared once.
    for (let i = 0; i < 3; i++) await send();
    const counts = countOperations(deps);
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      await send();
    }
    expect(counts).toEqual({});
    // One TTL later: the snapshot refresh (rules, providers, models, open circuits, 2 providers'
    // latency items, and their health states), but no share of an unchanged latency figure...
    clock.advance(60_000);
    await send();
    expect(counts).toEqual({ Query: 6, GetItem: 2 });
    // ...which is shared once per five TTLs: one write per pair, not per request or per refresh.
    clock.advance(4 * 60_000);
    await send();
    expect(counts).toEqual({ UpdateItem: 1, Query: 12, GetItem: 4 });
  });

  it('keeps routing on the last snapshot when a refresh is throttled; fails closed with none', async () => {
    const admin = h.instance();
    const p = await addProvider(admin, 'hp-throttle');
    await addModel(admin, p.id, { model_id: 'hp-throttle-model' });
    const deps = h.instance({ now: clock.now });
    const cold = h.instance({ now: clock.now });
    const resolve = (d: Gateway) => resolveRoute(d, { serviceType: 'llm', model: 'hp-throttle-model' });
    expect((await resolve(deps)).candidates).toHaveLength(1);
    // DynamoDB throttles every read (the SDK's last attempt): no instance can refresh.
    const store = mockStore();
    store.failWhen(() => true, throttlingError());
    try {
      clock.advance(61_000);
      expect((await resolve(deps)).candidates.map((c) => c.provider.id)).toEqual([p.id]);
      await expect(resolve(cold)).rejects.toMatchObject({ statusCode: 503, code: 'storage_throttled' });
    } finally {
      store.restore();
    }
  });
});

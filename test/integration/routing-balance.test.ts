import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { updateModel } from '../../lib/services/models/service.js';
import { type Candidate, resolveRoute } from '../../lib/services/routing/resolve.js';
import { TestClock } from '../support/clock.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import {
  addModel,
  addProvider,
  addRule,
  type FakeUpstream,
  fakeUpstream,
  fetchAttempt,
  ok,
  routeAndCall,
  seededRandom,
} from '../support/routing.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

let h: StoreHarness;
let admin: Gateway;
const fakes: FakeUpstream[] = [];

beforeAll(async () => {
  h = await startStoreHarness({ env: { ROUTING_CACHE_TTL: '10' }, clock: TestClock.wall() });
  admin = h.deps;
});
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await h.close();
});

async function providersServing(model: string, count: number, deps = admin) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const p = await addProvider(deps, `${model}-${i}`);
    await addModel(deps, p.id, { model_id: model });
    out.push(p);
  }
  return out;
}

function tally(ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

describe('routing: round_robin, a cursor per instance', () => {
  it('spreads 300 resolutions over 3 instances within one per instance of 100, touching no table item', async () => {
    const providers = await providersServing('rr-model', 3);
    await addRule(admin, {
      rule_name: 'rr',
      rule_type: 'round_robin',
      service_type: 'llm',
      model_pattern: 'rr-*',
      provider_ids: providers.map((p) => p.id),
    });
    const instances = [h.instance(), h.instance(), h.instance()];
    // Warm the routing snapshots, then count every table operation the resolutions send.
    await Promise.all(instances.map((d) => resolveRoute(d, { serviceType: 'llm', model: 'rr-model' })));
    const operations: string[] = [];
    for (const d of instances) d.table.observe((operation) => operations.push(operation));
    const firsts: string[][] = [[], [], []];
    for (let batch = 0; batch < 10; batch++) {
      const routes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          resolveRoute(instances[i % 3]!, { serviceType: 'llm', model: 'rr-model' }),
        ),
      );
      for (const [i, r] of routes.entries()) firsts[i % 3]!.push(r.candidates[0]!.provider.id);
    }
    expect(operations).toEqual([]);
    // Each instance rotates exactly: its 100 resolutions give each provider 33 or 34.
    for (const own of firsts) {
      const counts = tally(own);
      for (const p of providers) expect(Math.abs(counts[p.id]! - 100 / 3)).toBeLessThan(1);
    }
    // Across instances: within one per instance of the even share.
    const counts = tally(firsts.flat());
    expect(Object.keys(counts).sort()).toEqual(providers.map((p) => p.id).sort());
    for (const p of providers) expect(Math.abs(counts[p.id]! - 100)).toBeLessThanOrEqual(3);
  });
});

describe('routing: weighted', () => {
  it('splits 1,000 resolutions 70/30 within ±5 %', async () => {
    const [heavy, light] = await providersServing('w-model', 2);
    await addRule(admin, {
      rule_name: 'w',
      rule_type: 'weighted',
      service_type: 'llm',
      model_pattern: 'w-model',
      targets: [
        { provider_id: heavy!.id, weight: 70 },
        { provider_id: light!.id, weight: 30 },
      ],
    });
    const deps = h.instance();
    const random = seededRandom(42);
    const firsts: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const route = await resolveRoute(deps, { serviceType: 'llm', model: 'w-model', random });
      firsts.push(route.candidates[0]!.provider.id);
      expect(route.candidates).toHaveLength(2);
    }
    const counts = tally(firsts);
    expect(counts[heavy!.id]!).toBeGreaterThanOrEqual(650);
    expect(counts[heavy!.id]!).toBeLessThanOrEqual(750);
    expect(counts[heavy!.id]! + counts[light!.id]!).toBe(1_000);
  });
});

describe('routing: least_latency', () => {
  it('moves traffic off a provider that turns slow: at once where observed, elsewhere within the TTL', async () => {
    // Upstream latency is simulated on the shared manual clock (the executor measures with it), so
    // the figures do not depend on how busy the machine is; the fakes still count real requests.
    const clock = new TestClock();
    const fast = await fakeUpstream(ok());
    const steady = await fakeUpstream(ok());
    fakes.push(fast, steady);
    const [a, b] = await providersServing('ll-model', 2);
    const upstreams = new Map([
      [a!.id, fast.url],
      [b!.id, steady.url],
    ]);
    const latencyMs = new Map([
      [a!.id, 5],
      [b!.id, 150],
    ]);
    await addRule(admin, {
      rule_name: 'll',
      rule_type: 'least_latency',
      service_type: 'llm',
      model_pattern: 'll-model',
      provider_ids: [a!.id, b!.id],
    });
    const observer = h.instance({ now: clock.now });
    const bystander = h.instance({ now: clock.now });
    const call = fetchAttempt((c: Candidate) => upstreams.get(c.provider.id)!);
    const attempt: typeof call = async (c, n, signal) => {
      const out = await call(c, n, signal);
      clock.advance(latencyMs.get(c.provider.id)!);
      return out;
    };
    const send = async (deps: Gateway, n: number) => {
      const served: string[] = [];
      for (let i = 0; i < n; i++) {
        const out = await routeAndCall(deps, { model: 'll-model', attempt, clock: clock.executorClock() });
        served.push(out.candidate.provider.id === a!.id ? 'a' : 'b');
      }
      return served;
    };
    // The observer measures both once (never-measured pairs go first), then stays on a; the
    // bystander starts from the figures the observer shared and never needs to try b.
    expect(await send(observer, 6)).toEqual(['a', 'b', 'a', 'a', 'a', 'a']);
    expect(await send(bystander, 6)).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
    clock.advance(2_000);
    latencyMs.set(a!.id, 800);
    // The observer pays for one slow answer, then moves to b.
    expect(await send(observer, 6)).toEqual(['a', 'b', 'b', 'b', 'b', 'b']);
    // The bystander has not seen it yet: its cached figures still prefer a...
    const stale = await resolveRoute(bystander, { serviceType: 'llm', model: 'll-model' });
    expect(stale.candidates[0]!.provider.id).toBe(a!.id);
    // ...until its cache expires (10 s after it was read, so within 10 s of the observer's write):
    // then it routes to b without sending a request to a.
    clock.advance(9_000);
    const hitsBefore = fast.hits;
    expect(await send(bystander, 3)).toEqual(['b', 'b', 'b']);
    expect(fast.hits).toBe(hitsBefore);
  });
});

describe('routing: cost_optimized', () => {
  it('picks the cheapest model that can see an image, and the cheapest overall for text', async () => {
    const clock = new TestClock();
    const deps = h.instance({ now: clock.now, env: { ROUTING_CACHE_TTL: '0' } });
    const [big, mini, text] = [
      await addProvider(deps, 'co-big'),
      await addProvider(deps, 'co-mini'),
      await addProvider(deps, 'co-text'),
    ];
    const vision = ['vision', 'tools'] as const;
    await addModel(deps, big.id, {
      model_id: 'gpt-4o',
      capabilities: [...vision],
      pricing: { input_per_1m: 2.5, output_per_1m: 10 },
    });
    await addModel(deps, mini.id, {
      model_id: 'gpt-4o-mini',
      capabilities: [...vision],
      pricing: { input_per_1m: 0.15, output_per_1m: 0.6 },
    });
    await addModel(deps, text.id, {
      model_id: 'text-cheap',
      capabilities: ['tools'],
      pricing: { input_per_1m: 0.05, output_per_1m: 0.1 },
    });
    await addRule(deps, {
      rule_name: 'co',
      rule_type: 'cost_optimized',
      service_type: 'llm',
      model_pattern: 'smart',
      targets: [
        { provider_id: big.id, model: 'gpt-4o' },
        { provider_id: mini.id, model: 'gpt-4o-mini' },
        { provider_id: text.id, model: 'text-cheap' },
      ],
    });
    const image = await resolveRoute(deps, { serviceType: 'llm', model: 'smart', needs: { vision: true } });
    expect(image.candidates.map((c) => c.modelId)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect(image.skipped).toEqual([
      { providerId: text.id, modelId: 'text-cheap', reason: 'missing_capability' },
    ]);
    const plain = await resolveRoute(deps, { serviceType: 'llm', model: 'smart' });
    expect(plain.candidates.map((c) => c.modelId)).toEqual(['text-cheap', 'gpt-4o-mini', 'gpt-4o']);
    // The upstream is sent the mapped model.
    const upstream = await fakeUpstream(ok());
    fakes.push(upstream);
    let sentModel = '';
    upstream.respond = (req, res, hit) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        sentModel = JSON.parse(body).model;
        ok()(req, res, hit);
      });
    };
    const out = await routeAndCall(deps, {
      model: 'smart',
      needs: { vision: true },
      attempt: fetchAttempt(() => upstream.url),
      timeoutMs: 5_000,
      hooks: false,
    });
    expect(out.candidate.provider.id).toBe(mini.id);
    expect(sentModel).toBe('gpt-4o-mini');
    // A price change takes effect when it is in force, not before.
    const hour = 3_600_000;
    await updateModel(deps, {
      providerId: mini.id,
      modelId: 'gpt-4o-mini',
      patch: {
        pricing: {
          input_per_1m: 20,
          output_per_1m: 20,
          effective_from: new Date(clock.ms + hour).toISOString(),
        },
      },
      principal: ADMIN,
      actor: ACTOR,
    });
    expect(
      (await resolveRoute(deps, { serviceType: 'llm', model: 'smart', needs: { vision: true } }))
        .candidates[0]!.modelId,
    ).toBe('gpt-4o-mini');
    clock.advance(2 * hour);
    expect(
      (await resolveRoute(deps, { serviceType: 'llm', model: 'smart', needs: { vision: true } }))
        .candidates[0]!.modelId,
    ).toBe('gpt-4o');
  });
});

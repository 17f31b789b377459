import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../lib/runtime/gateway.js';
import type { Candidate } from '../../lib/services/routing/resolve.js';
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

let h: StoreHarness;
let deps: Gateway;
const fakes: FakeUpstream[] = [];
const urls = new Map<string, string>();
const attempt = fetchAttempt((c: Candidate) => urls.get(c.provider.id)!);

/** Providers each backed by a fake upstream, serving `model`, under a primary_fallback rule. */
async function setup(model: string, fakesFor: FakeUpstream[], rule: { fallback?: boolean } = {}) {
  const providers = [];
  for (const [i, fake] of fakesFor.entries()) {
    const p = await addProvider(deps, `${model}-p${i}`);
    await addModel(deps, p.id, { model_id: model });
    urls.set(p.id, fake.url);
    providers.push(p);
  }
  await addRule(deps, {
    rule_name: model,
    rule_type: 'primary_fallback',
    service_type: 'llm',
    model_pattern: model,
    provider_ids: providers.map((p) => p.id),
    fallback_enabled: rule.fallback ?? true,
    retry_policy: { max_attempts: 3, backoff_base_ms: 50, backoff_max_ms: 200 },
  });
  return providers;
}

async function fake(respond?: Parameters<typeof fakeUpstream>[0]) {
  const f = await fakeUpstream(respond);
  fakes.push(f);
  return f;
}

const run = (model: string, timeoutMs?: number) =>
  routeAndCall(deps, { model, attempt, ...(timeoutMs ? { timeoutMs } : {}) });

beforeAll(async () => {
  // Real time: Retry-After waits and refused connections are measured on the wall clock.
  h = await startStoreHarness({ env: { ROUTING_CACHE_TTL: '0' }, clock: TestClock.wall() });
  deps = h.deps;
});
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await h.close();
});

describe('routing: failover over fake upstreams', () => {
  it('serves from the fallback when the primary answers 503', async () => {
    const primary = await fake(fail(503));
    const fallback = await fake(ok({ from: 'fallback' }));
    const [, second] = await setup('fo-503', [primary, fallback]);
    const out = await run('fo-503');
    expect(out.attempts).toBe(2);
    expect(out.candidate.provider.id).toBe(second!.id);
    expect(JSON.parse(out.value.body)).toEqual({ from: 'fallback' });
    expect([primary.hits, fallback.hits]).toEqual([1, 1]);
  });

  it('does not retry or fail over a 400: the primary sees exactly one request', async () => {
    const primary = await fake(fail(400));
    const fallback = await fake(ok());
    await setup('fo-400', [primary, fallback]);
    await expect(run('fo-400')).rejects.toMatchObject({ upstreamStatus: 400, statusCode: 400 });
    expect([primary.hits, fallback.hits]).toEqual([1, 0]);
  });

  it.each(['1', 'date'])('honours Retry-After (%s) before retrying the same provider', async (form) => {
    const solo = await fake((req, res, hit) => {
      if (hit === 1) {
        const value = form === 'date' ? new Date(Date.now() + 2_000).toUTCString() : form;
        return fail(429, { 'retry-after': value })(req, res, hit);
      }
      return ok()(req, res, hit);
    });
    await setup(`fo-ra-${form}`, [solo], { fallback: false });
    const out = await run(`fo-ra-${form}`);
    expect(out.attempts).toBe(2);
    expect(solo.hits).toBe(2);
    const gap = solo.arrivals[1]! - solo.arrivals[0]!;
    // HTTP dates have one-second resolution: the date form waits at least ~1 s.
    expect(gap).toBeGreaterThanOrEqual(form === 'date' ? 900 : 1_000);
  });

  it('moves to the next provider when Retry-After is longer than the time left', async () => {
    const primary = await fake(fail(429, { 'retry-after': '30' }));
    const fallback = await fake(ok());
    await setup('fo-ra-long', [primary, fallback]);
    const started = Date.now();
    const out = await run('fo-ra-long', 5_000);
    expect(out.attempts).toBe(2);
    expect([primary.hits, fallback.hits]).toEqual([1, 1]);
    // No 30 s sleep: the fallback answered at once.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('fails over on a refused connection', async () => {
    const dead = await fake();
    await dead.close();
    const fallback = await fake(ok());
    await setup('fo-conn', [dead, fallback]);
    const out = await run('fo-conn');
    expect(out.attempts).toBe(2);
    expect(fallback.hits).toBe(1);
  });

  it('stops at the attempt cap when every provider fails', async () => {
    const a = await fake(fail(502));
    const b = await fake(fail(500));
    await setup('fo-all', [a, b]);
    await expect(run('fo-all')).rejects.toMatchObject({ upstreamStatus: expect.any(Number) });
    expect(a.hits + b.hits).toBe(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponse } from '../../lib/http/response.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import {
  admit,
  admitRequest,
  type RateLimitSpec,
  refund,
  windowOf,
} from '../../lib/services/routing/rate-limit.js';
import type { Candidate } from '../../lib/services/routing/resolve.js';
import { keys } from '../../lib/store/keys.js';
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
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

let h: StoreHarness;
const clock = new TestClock();
let instances: Gateway[];
const fakes: FakeUpstream[] = [];

beforeAll(async () => {
  h = await startStoreHarness({ env: { ROUTING_CACHE_TTL: '0' }, clock });
  instances = [1, 2, 3, 4, 5].map(() => h.instance());
});
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await h.close();
});

const burst = (
  limits: RateLimitSpec[],
  n: number,
  extra: { tokens?: number; shardCapacity?: number; leaseFraction?: number } = {},
) =>
  Promise.all(
    Array.from({ length: n }, (_, i) => admit(instances[i % instances.length]!, { limits, ...extra })),
  );

describe('routing: exact rate limits across instances', () => {
  it('admits exactly 10 of 50 concurrent requests against 10 per minute; 40 get 429 with Retry-After', async () => {
    const results = await burst([{ scope: 'key:burst', label: 'this API key', rpm: 10, tpm: null }], 50);
    const admitted = results.filter((r) => r.admitted);
    const refused = results.filter((r) => !r.admitted);
    expect(admitted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    const secondsLeft = Math.ceil((windowOf(clock.ms).endsAt - clock.ms) / 1000);
    for (const r of refused) {
      if (r.admitted) continue;
      expect(r.retryAfterSeconds).toBe(secondsLeft);
      const response = errorResponse(r.error, 'req_1');
      expect(response.statusCode).toBe(429);
      expect(response.headers?.['retry-after']).toBe(String(secondsLeft));
      expect(JSON.parse(response.body).error).toMatchObject({ code: 'rate_limited', request_id: 'req_1' });
    }
    const stored = await instances[0]!.table.get(keys.rateWindow('key:burst', windowOf(clock.ms).minute, 0));
    expect(stored?.requests).toBe(10);
  });

  it('opens a fresh allowance in the next window', async () => {
    const limits = [{ scope: 'key:windows', label: 'this API key', rpm: 3, tpm: null }];
    expect((await burst(limits, 5)).filter((r) => r.admitted)).toHaveLength(3);
    clock.advance(60_000);
    expect((await burst(limits, 5)).filter((r) => r.admitted)).toHaveLength(3);
  });

  it('stays exact when the limit is sharded: 10 split over 3 items, 50 concurrent', async () => {
    const limits = [{ scope: 'global', label: 'the gateway', rpm: 10, tpm: null }];
    const results = await burst(limits, 50, { shardCapacity: 4 });
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    const { minute } = windowOf(clock.ms);
    const shards = await Promise.all(
      [0, 1, 2].map((s) => instances[0]!.table.get(keys.rateWindow('global', minute, s))),
    );
    expect(shards.map((s) => s?.requests)).toEqual([4, 3, 3]);
  });

  it('limits tokens per minute: never admits past the token allowance', async () => {
    const limits = [{ scope: 'provider:tokens', label: 'the provider', rpm: null, tpm: 1_000 }];
    const results = await burst(limits, 30, { tokens: 120 });
    expect(results.filter((r) => r.admitted)).toHaveLength(8);
  });

  it('refunds the scopes already admitted when a later one refuses', async () => {
    const key = { scope: 'key:refund', label: 'this API key', rpm: 100, tpm: null };
    const tight = { scope: 'global:refund', label: 'the gateway', rpm: 2, tpm: null };
    const results = await burst([key, tight], 6);
    expect(results.filter((r) => r.admitted)).toHaveLength(2);
    const stored = await instances[0]!.table.get(keys.rateWindow('key:refund', windowOf(clock.ms).minute, 0));
    expect(stored?.requests).toBe(2);
  });

  it('applies the global limits from configuration and the key limit from the principal', async () => {
    clock.advance(60_000); // a window the earlier tests did not touch
    const deps = h.instance({ env: { GLOBAL_RATE_LIMIT_RPM: '4' } });
    const principal = { keyId: 'key_rl', role: 'invoke' as const, rateLimitRpm: 2 };
    const keyed = await Promise.all(Array.from({ length: 5 }, () => admitRequest(deps, { principal })));
    expect(keyed.filter((r) => r.admitted)).toHaveLength(2);
    const anonymous = await Promise.all(Array.from({ length: 5 }, () => admitRequest(deps, {})));
    expect(anonymous.filter((r) => r.admitted)).toHaveLength(2);
    const refused = anonymous.find((r) => !r.admitted);
    expect(refused && !refused.admitted && refused.scope).toBe('global');
  });

  it("limits a team's keys together: the team scope counts every key of the team", async () => {
    clock.advance(60_000);
    const deps = h.instance();
    const member = (keyId: string) => ({
      keyId,
      role: 'invoke' as const,
      teamId: 'team_01m8bwjkr672zknf0jar5m8r48',
      teamRateLimitRpm: 3,
    });
    const results = await Promise.all(
      ['key_a', 'key_b', 'key_a', 'key_b', 'key_a', 'key_b'].map((k) =>
        admitRequest(deps, { principal: member(k) }),
      ),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(3);
    const refused = results.find((r) => !r.admitted);
    expect(refused && !refused.admitted && refused.scope).toBe('team:team_01m8bwjkr672zknf0jar5m8r48');
    expect(refused && !refused.admitted && refused.error.message).toContain('this team');
    // A key outside the team is not counted against it.
    const outsider = await admitRequest(deps, { principal: { keyId: 'key_c', role: 'invoke' } });
    expect(outsider.admitted).toBe(true);
  });
});

describe('routing: leased admissions for large limits', () => {
  /** UpdateItem calls an instance sends while `run` runs. */
  async function writesDuring<T>(
    deps: Gateway,
    run: () => Promise<T>,
  ): Promise<{ value: T; writes: number }> {
    let writes = 0;
    const stop = deps.table.observe((op) => {
      if (op === 'UpdateItem') writes += 1;
    });
    try {
      return { value: await run(), writes };
    } finally {
      stop();
    }
  }
  const stored = async (scope: string) =>
    (await instances[0]!.table.get(keys.rateWindow(scope, windowOf(clock.ms).minute, 0)))?.requests;

  it('admits 200 requests of one instance with one write per lease of 10, not one per request', async () => {
    const limits = [{ scope: 'key:leased', label: 'this API key', rpm: 1_000, tpm: null }];
    const deps = h.instance();
    const { value, writes } = await writesDuring(deps, async () => {
      const results = [];
      for (let i = 0; i < 200; i++) results.push(await admit(deps, { limits, leaseFraction: 100 }));
      return results;
    });
    expect(value.every((r) => r.admitted)).toBe(true);
    expect(writes).toBeLessThanOrEqual(21);
    expect(await stored('key:leased')).toBeLessThanOrEqual(210);
  });

  it('never over-admits: 5 instances × 60 concurrent against 100 per minute with leases of 10', async () => {
    const limits = [{ scope: 'key:leased-burst', label: 'this API key', rpm: 100, tpm: null }];
    const results = await burst(limits, 300, { leaseFraction: 10 });
    const admitted = results.filter((r) => r.admitted).length;
    expect(await stored('key:leased-burst')).toBeLessThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(100);
    // Under-admission is bounded by one unused lease per instance.
    expect(admitted).toBeGreaterThanOrEqual(100 - 5 * 9);
  });

  it('returns a refunded leased admission to the lease, without a write', async () => {
    const limits = [{ scope: 'key:leased-refund', label: 'this API key', rpm: 1_000, tpm: null }];
    const deps = h.instance();
    const first = await admit(deps, { limits, leaseFraction: 100 });
    expect(first.admitted && first.grants[0]?.leased).toBe(true);
    const { writes } = await writesDuring(deps, async () => {
      await refund(deps, first.admitted ? first.grants : []);
      for (let i = 0; i < 9; i++)
        expect((await admit(deps, { limits, leaseFraction: 100 })).admitted).toBe(true);
    });
    expect(writes).toBeLessThanOrEqual(1); // the background refill of the next lease, at most
  });

  it('leases tokens too: 100 requests of 1,000 tokens under a token limit cost a write per lease', async () => {
    const limits = [{ scope: 'key:leased-tokens', label: 'this API key', rpm: 1_000, tpm: 1_000_000 }];
    const deps = h.instance();
    const { value, writes } = await writesDuring(deps, async () => {
      const results = [];
      for (let i = 0; i < 100; i++)
        results.push(await admit(deps, { limits, tokens: 1_000, leaseFraction: 100 }));
      return results;
    });
    expect(value.every((r) => r.admitted)).toBe(true);
    // Leases of 10 requests and 10,000 tokens: about one write per 10 requests, not 100 writes.
    expect(writes).toBeLessThanOrEqual(12);
    const window = await deps.table.get(keys.rateWindow('key:leased-tokens', windowOf(clock.ms).minute, 0));
    expect(Number(window?.tokens)).toBeGreaterThanOrEqual(100_000);
    expect(Number(window?.tokens)).toBeLessThanOrEqual(110_000);
  });

  it('never over-admits tokens on leased windows: 5 instances × 60 concurrent against 50,000 tokens', async () => {
    const limits = [{ scope: 'key:leased-tpm-burst', label: 'this API key', rpm: 10_000, tpm: 50_000 }];
    const results = await burst(limits, 300, { tokens: 1_000, leaseFraction: 10 });
    const admitted = results.filter((r) => r.admitted).length;
    const window = await instances[0]!.table.get(
      keys.rateWindow('key:leased-tpm-burst', windowOf(clock.ms).minute, 0),
    );
    expect(Number(window?.tokens)).toBeLessThanOrEqual(50_000);
    expect(admitted * 1_000).toBeLessThanOrEqual(50_000);
    // Under-admission is bounded by one unused token lease (5,000 tokens) per instance.
    expect(admitted).toBeGreaterThanOrEqual(50 - 5 * 5);
    const refused = results.find((r) => !r.admitted);
    expect(refused && !refused.admitted && refused.error.statusCode).toBe(429);
  });

  it('does not lease small limits: 10 per minute stays one conditional write per request', async () => {
    const limits = [{ scope: 'key:small', label: 'this API key', rpm: 10, tpm: null }];
    const deps = h.instance();
    const { writes } = await writesDuring(deps, async () => {
      for (let i = 0; i < 3; i++) await admit(deps, { limits });
    });
    expect(writes).toBe(3);
  });
});

describe('routing: a provider over its rate limit', () => {
  it('fails over to the next provider where the rule allows, and answers 429 where it does not', async () => {
    clock.advance(60_000); // a fresh window, which the manual clock keeps for the whole test
    const deps = h.instance();
    const upstream = await fakeUpstream(ok());
    fakes.push(upstream);
    const limited = await addProvider(deps, 'rl-limited', { rate_limit_rpm: 2 });
    const spare = await addProvider(deps, 'rl-spare');
    for (const p of [limited, spare]) await addModel(deps, p.id, { model_id: 'rl-model' });
    await addModel(deps, limited.id, { model_id: 'rl-solo' });
    await addRule(deps, {
      rule_name: 'rl',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'rl-model',
      provider_ids: [limited.id, spare.id],
    });
    await addRule(deps, {
      rule_name: 'rl-solo',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'rl-solo',
      provider_ids: [limited.id],
    });
    const send = (model: string) =>
      routeAndCall(deps, { model, attempt: fetchAttempt((_c: Candidate) => upstream.url), timeoutMs: 5_000 });
    const served = [];
    for (let i = 0; i < 4; i++) served.push((await send('rl-model')).candidate.provider.id);
    expect(served).toEqual([limited.id, limited.id, spare.id, spare.id]);
    await expect(send('rl-solo')).rejects.toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      headers: { 'retry-after': expect.stringMatching(/^\d+$/) },
    });
  });
});

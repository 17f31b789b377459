import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManyRequestsError } from '../../lib/errors.js';
import type { Quota } from '../../lib/schemas/quotas.js';
import { reserveBudget, settleBudget } from '../../lib/services/quotas/budget.js';
import { reservationAmount, reserveAll } from '../../lib/services/quotas/budget-helpers.js';
import { quotaDecision } from '../../lib/services/quotas/decision.js';
import { keys } from '../../lib/store/keys.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-05-20T12:00:00.000Z');
const DIME = 100_000_000; // $0.10 in nano-USD

let t: UsageGateway;
let provider: string;

async function quota(body: Record<string, unknown>): Promise<Quota> {
  const res = await t.gw.call('POST', '/api/quotas', {
    body: { provider_id: provider, scope: 'provider', enforcement: 'strict', ...body },
  });
  expect(res.status).toBe(201);
  return res.json as Quota;
}

const budget = async (q: Quota, window = '2031-05-20') => t.deps.table.get(keys.quotaBudget(q.id, window));

beforeAll(async () => {
  t = await startUsageGateway(T0);
  provider = await t.provider('strict-budgets');
  await t.model(provider, {
    model_id: 'm-1',
    model_type: 'llm',
    pricing: { input_per_1m: 1, output_per_1m: 4, effective_from: '2031-01-01T00:00:00Z' },
  });
});

afterAll(async () => {
  await t.stop();
});

describe('strict quotas: reserve before, settle after, never overshoot', () => {
  it('admits exactly 5 of 50 concurrent calls when the remaining budget is worth 5', async () => {
    const q = await quota({ quota_type: 'daily_cost', limit_value: 1 });
    const first = await reserveBudget(t.deps, { quota: q, amount: { costNanos: 5 * DIME } });
    expect(await settleBudget(t.deps, first, { costNanos: 5 * DIME })).toBe(true);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => reserveBudget(t.deps, { quota: q, amount: { costNanos: DIME } })),
    );
    const admitted = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(admitted).toHaveLength(5);
    expect(refused).toHaveLength(45);
    for (const error of refused) {
      expect(error).toBeInstanceOf(TooManyRequestsError);
      expect(error).toMatchObject({ statusCode: 429, code: 'quota_exceeded' });
      const retryAfter = Number(error.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(12 * 3600 - 120); // the window ends at midnight UTC
      expect(retryAfter).toBeLessThanOrEqual(12 * 3600);
    }
    expect(await budget(q)).toMatchObject({ committed: 10 * DIME, reserved: 5 * DIME, used: 5 * DIME });

    // Settle each at its real cost ($0.07): the difference is released, and a settle counts once.
    const holds = admitted.map(
      (o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof reserveBudget>>>).value,
    );
    for (const hold of holds) expect(await settleBudget(t.deps, hold, { costNanos: 70_000_000 })).toBe(true);
    expect(await settleBudget(t.deps, holds[0]!, { costNanos: 70_000_000 })).toBe(false);
    expect(await budget(q)).toMatchObject({ committed: 850_000_000, reserved: 0, used: 850_000_000 });

    // $0.15 left: of 2 concurrent $0.10 holds, exactly one fits.
    const again = await Promise.allSettled(
      [0, 1].map(() => reserveBudget(t.deps, { quota: q, amount: { costNanos: DIME } })),
    );
    expect(again.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(Number((await budget(q))?.committed)).toBeLessThanOrEqual(1_000_000_000);
  });

  it('counts token and request quotas in their own units', async () => {
    const tokens = await quota({ quota_type: 'daily_tokens', limit_value: 10_000 });
    const requests = await quota({ quota_type: 'monthly_requests', limit_value: 3 });
    const byTokens = await Promise.allSettled(
      Array.from({ length: 20 }, () => reserveBudget(t.deps, { quota: tokens, amount: { tokens: 1_000 } })),
    );
    expect(byTokens.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    const byRequests = await Promise.allSettled(
      Array.from({ length: 9 }, () => reserveBudget(t.deps, { quota: requests, amount: {} })),
    );
    expect(byRequests.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(await budget(requests, '2031-05')).toMatchObject({ committed: 3 });
  });

  it('holds the maximum cost from max_tokens and the price in force', async () => {
    const amount = await reservationAmount(t.deps, {
      providerId: provider,
      modelId: 'm-1',
      atMs: t.clock.now(),
      inputTokens: 1_000,
      maxOutputTokens: 500,
    });
    expect(amount).toEqual({ costNanos: 3_000_000, tokens: 1_500, requests: 1 }); // 1000 × $1 + 500 × $4 per 1M
  });

  it('releases a hold its caller abandoned once the hold expires', async () => {
    const q = await quota({ quota_type: 'daily_cost', limit_value: 0.1 });
    await reserveBudget(t.deps, { quota: q, amount: { costNanos: DIME } });
    await expect(reserveBudget(t.deps, { quota: q, amount: { costNanos: DIME } })).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
    t.clock.advance(17 * 60_000);
    const hold = await reserveBudget(t.deps, { quota: q, amount: { costNanos: DIME } });
    expect(hold.quotaId).toBe(q.id);
    expect(await budget(q)).toMatchObject({ committed: DIME, reserved: DIME });
  });

  it('hands strict quotas to the caller in the decision, and reserves all or none', async () => {
    const roomy = await quota({ quota_type: 'monthly_requests', limit_value: 100 });
    const decision = await quotaDecision(t.deps, { providerId: provider, modelId: 'm-1', apiKeyId: 'key_x' });
    expect(decision.action).toBe('allow');
    expect(decision.strict.map((q) => q.id)).toContain(roomy.id);
    const full = decision.strict.find((q) => q.quota_type === 'daily_cost' && q.limit_value === 0.1)!;
    await expect(
      reserveAll(t.deps, { quotas: [roomy, full], amount: { costNanos: DIME, requests: 1 } }),
    ).rejects.toMatchObject({
      code: 'quota_exceeded',
    });
    expect(await budget(roomy, '2031-05')).toMatchObject({ committed: 0, reserved: 0, used: 0 });
  });
});

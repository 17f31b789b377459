import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../lib/events/bus.js';
import { quotaDecision } from '../../lib/services/quotas/decision.js';
import { QUOTA_EVENT } from '../../lib/services/quotas/notify.js';
import { recordUsage } from '../../lib/services/usage/record.js';
import { keys } from '../../lib/store/keys.js';
import { startUsageGateway, type UsageGateway, usageEvent } from './usage-fixtures.js';

const T0 = Date.parse('2031-04-15T09:00:00.000Z');
const NEXT_DAY = Date.parse('2031-04-16T00:00:05.000Z');

let t: UsageGateway;
let provider: string;
let quotaId: string;
const seen: GatewayEvent[] = [];

/** One call that costs exactly $0.10 (100,000 input tokens at $1 per million). */
const tenCents = () =>
  recordUsage(
    t.deps,
    usageEvent({
      at: t.clock.now(),
      providerId: provider,
      modelId: 'm-1',
      usage: { input_tokens: 100_000, output_tokens: 0, cached_input_tokens: 0 },
    }),
  );
const call = () => ({ providerId: provider, modelId: 'm-1', apiKeyId: 'key_test' });
const quotaEvents = () => seen.filter((e) => e.type === QUOTA_EVENT && e.detail.quota_id === quotaId);

beforeAll(async () => {
  t = await startUsageGateway(T0);
  t.events.subscribe((e) => seen.push(e));
  provider = await t.provider('quota-thresholds');
  await t.model(provider, {
    model_id: 'm-1',
    model_type: 'llm',
    pricing: { input_per_1m: 1, output_per_1m: 1, effective_from: '2031-01-01T00:00:00Z' },
  });
  const created = await t.gw.call('POST', '/api/quotas', {
    body: {
      provider_id: provider,
      quota_type: 'daily_cost',
      limit_value: 1,
      scope: 'provider',
      action_on_exceed: 'block',
    },
  });
  expect(created.status).toBe(201);
  quotaId = created.json.id;
});

afterAll(async () => {
  await t.stop();
});

const status = async () => (await t.gw.call('GET', `/api/quotas/${quotaId}/status`)).json;
const stored = async () => t.deps.table.get(keys.quotaState(quotaId, '2031-04-15'));

describe('quotas: thresholds crossed from the change stream', () => {
  it('stays ok below the soft limit, with no event', async () => {
    for (let i = 0; i < 7; i++) await tenCents();
    await t.settle();
    expect((await stored())?.state).toBe('ok');
    expect(await status()).toMatchObject({
      used: 0.7,
      limit: 1,
      percent: 70,
      state: 'ok',
      resets_at: '2031-04-16T00:00:00.000Z',
    });
    expect(quotaEvents()).toHaveLength(0);
    expect((await quotaDecision(t.deps, call())).action).toBe('allow');
  });

  it('moves to soft_exceeded at 80 % with one event, and stays there without another', async () => {
    await tenCents();
    await t.settle();
    expect((await stored())?.state).toBe('soft_exceeded');
    expect(quotaEvents()).toHaveLength(1);
    await tenCents();
    await t.settle();
    expect((await stored())?.state).toBe('soft_exceeded');
    expect(quotaEvents()).toHaveLength(1);
    expect(quotaEvents()[0]?.detail).toMatchObject({
      previous_state: 'ok',
      state: 'soft_exceeded',
      used: 0.8,
      limit: 1,
      window: '2031-04-15',
    });
  });

  it('moves to exceeded at the limit with exactly one more event; blocks within 5 s', async () => {
    expect((await quotaDecision(t.deps, call())).action).toBe('allow'); // a warm, soon stale cache
    const crossedAt = performance.now();
    await tenCents();
    let decision = await quotaDecision(t.deps, call());
    while (decision.action !== 'block' && performance.now() - crossedAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      decision = await quotaDecision(t.deps, call());
    }
    const elapsed = performance.now() - crossedAt;
    expect(decision).toMatchObject({ action: 'block', quotaId });
    expect(elapsed).toBeLessThan(5_000);
    expect(decision.retryAfterSeconds).toBeGreaterThan(14 * 3600);
    await tenCents();
    await tenCents();
    await t.settle();
    const state = await stored();
    expect(state).toMatchObject({
      state: 'exceeded',
      last_actor: 'quota-enforcer',
      resets_at: '2031-04-16T00:00:00.000Z',
    });
    expect(quotaEvents().map((e) => e.detail.state)).toEqual(['soft_exceeded', 'exceeded']);
    expect(await status()).toMatchObject({ used: 1.2, percent: 120, state: 'exceeded' });
  });

  it('reads nothing from DynamoDB between cache refreshes', async () => {
    await quotaDecision(t.deps, call());
    let calls = 0;
    const stop = t.deps.table.observe(() => {
      calls += 1;
    });
    try {
      for (let i = 0; i < 500; i++) expect((await quotaDecision(t.deps, call())).action).toBe('block');
    } finally {
      stop();
    }
    expect(calls).toBe(0);
  });

  it('resets in a new window: the next UTC day starts ok', async () => {
    t.clock.set(NEXT_DAY);
    expect((await quotaDecision(t.deps, call())).action).toBe('allow');
    expect(await status()).toMatchObject({ used: 0, state: 'ok', resets_at: '2031-04-17T00:00:00.000Z' });
    await tenCents();
    await t.settle();
    expect((await t.deps.table.get(keys.quotaState(quotaId, '2031-04-16')))?.state).toBe('ok');
    expect(quotaEvents()).toHaveLength(2);
  });

  it('re-evaluates when a PATCH lowers the limit, announcing the crossing once', async () => {
    const quota = await t.gw.call('GET', `/api/quotas/${quotaId}`);
    const patched = await t.gw.call('PATCH', `/api/quotas/${quotaId}`, {
      body: { limit_value: 0.1, version: quota.json.version },
    });
    expect(patched.status).toBe(200);
    expect((await t.deps.table.get(keys.quotaState(quotaId, '2031-04-16')))?.state).toBe('exceeded');
    expect(quotaEvents().map((e) => e.detail.window)).toEqual(['2031-04-15', '2031-04-15', '2031-04-16']);
  });
});

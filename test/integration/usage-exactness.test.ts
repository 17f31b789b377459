import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordUsage, type UsageEvent } from '../../lib/services/usage/record.js';
import { hourlySum, startUsageGateway, type UsageGateway, usageEvent } from './usage-fixtures.js';

const T0 = Date.parse('2031-03-10T10:00:00.000Z');
const MIN = 60_000;

/** Prices as typed (decimal strings), per model, with the moment each takes effect. */
type Price = {
  from: number;
  input?: string;
  output?: string;
  cached?: string;
  perChar?: string;
  perSecond?: string;
};
const PRICES: Record<string, Price[]> = {
  'gpt-4o': [
    { from: 0, input: '2.5', output: '10', cached: '1.25' },
    { from: T0 + 90 * MIN, input: '2', output: '8', cached: '1' },
  ],
  'text-embedding-3-small': [{ from: 0, input: '0.02' }],
  'tts-1': [{ from: 0, perChar: '0.000015' }],
  'whisper-1': [{ from: 0, perSecond: '0.0001' }],
  'claude-sonnet': [
    { from: 0, input: '3', output: '15', cached: '0.3' },
    { from: T0 + 120 * MIN, input: '2.75', output: '13.5', cached: '0.275' },
  ],
};

/** Exact nano-USD of `quantity × price / per` from decimal strings (independent of the gateway's code). */
function nanos(quantity: string, price: string | undefined, per: bigint): { num: bigint; den: bigint } {
  if (!price || quantity === '0') return { num: 0n, den: 1n };
  const [qw = '0', qf = ''] = quantity.split('.');
  const [pw = '0', pf = ''] = price.split('.');
  return {
    num: BigInt(qw + qf) * BigInt(pw + pf) * 1_000_000_000n,
    den: 10n ** BigInt(qf.length + pf.length) * per,
  };
}

function expectedCost(e: UsageEvent): bigint {
  if (e.outcome === 'error') return 0n;
  const price = PRICES[e.modelId]!.filter((p) => p.from <= e.at).at(-1)!;
  const u = e.usage;
  const parts = [
    nanos(String(u.input_tokens - (price.cached ? u.cached_input_tokens : 0)), price.input, 1_000_000n),
    nanos(String(price.cached ? u.cached_input_tokens : 0), price.cached, 1_000_000n),
    nanos(String(u.output_tokens), price.output, 1_000_000n),
    nanos(String(u.characters ?? 0), price.perChar, 1n),
    nanos(String(u.audio_seconds ?? 0), price.perSecond, 1n),
  ];
  const den = 10n ** 30n;
  const num = parts.reduce((sum, p) => sum + (p.num * den) / p.den, 0n);
  return (num * 2n + den) / (den * 2n);
}

/** 1,000 calls with known usage, as fake upstreams would report them (a seeded generator). */
function makeEvents(providers: { openai: string; anthropic: string }): UsageEvent[] {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const models = [
    'gpt-4o',
    'gpt-4o',
    'gpt-4o',
    'gpt-4o',
    'gpt-4o',
    'text-embedding-3-small',
    'tts-1',
    'whisper-1',
    'claude-sonnet',
    'claude-sonnet',
  ];
  return Array.from({ length: 1000 }, (_, i) => {
    const modelId = models[i % 10]!;
    const input = modelId === 'tts-1' || modelId === 'whisper-1' ? 0 : 100 + rnd(5000);
    const chat = modelId === 'gpt-4o' || modelId === 'claude-sonnet';
    return usageEvent({
      at: T0 + i * 10_800,
      providerId: modelId === 'claude-sonnet' ? providers.anthropic : providers.openai,
      modelId,
      apiKeyId: ['key_a', 'key_b', 'key_c'][i % 3]!,
      serviceType:
        modelId === 'text-embedding-3-small'
          ? 'embedding'
          : modelId === 'tts-1'
            ? 'tts'
            : modelId === 'whisper-1'
              ? 'stt'
              : 'llm',
      usage: {
        input_tokens: input,
        output_tokens: chat ? rnd(1500) : 0,
        cached_input_tokens: chat && i % 4 === 0 ? rnd(input) : 0,
        ...(modelId === 'tts-1' ? { characters: rnd(3000) } : {}),
        ...(modelId === 'whisper-1' ? { audio_seconds: rnd(6000) / 10 } : {}),
      },
      latencyMs: 50 + rnd(2000),
      outcome: i % 37 === 0 ? 'error' : 'success',
    });
  });
}

let t: UsageGateway;
let openai: string;
let anthropic: string;
let events: UsageEvent[];

beforeAll(async () => {
  t = await startUsageGateway(T0 - 10 * MIN, { USAGE_COUNTER_SHARDS: '4' });
  openai = await t.provider('exact-openai');
  anthropic = await t.provider('exact-anthropic');
  const from = '2031-01-01T00:00:00Z';
  await t.model(openai, {
    model_id: 'gpt-4o',
    model_type: 'llm',
    pricing: { input_per_1m: 2.5, output_per_1m: 10, cached_input_per_1m: 1.25, effective_from: from },
  });
  await t.model(openai, {
    model_id: 'text-embedding-3-small',
    model_type: 'embedding',
    pricing: { input_per_1m: 0.02, effective_from: from },
  });
  await t.model(openai, {
    model_id: 'tts-1',
    model_type: 'tts',
    pricing: { per_character: 0.000015, effective_from: from },
  });
  await t.model(openai, {
    model_id: 'whisper-1',
    model_type: 'stt',
    pricing: { per_second: 0.0001, effective_from: from },
  });
  await t.model(anthropic, {
    model_id: 'claude-sonnet',
    model_type: 'llm',
    pricing: { input_per_1m: 3, output_per_1m: 15, cached_input_per_1m: 0.3, effective_from: from },
  });
  events = makeEvents({ openai, anthropic });
  // Record in bursts of 25 concurrent calls; the prices change midway through model PATCHes
  // saved ahead of their effective_from (the clock is then ~36 and ~66 minutes before them).
  for (let i = 0; i < events.length; i += 25) {
    t.clock.set(events[i]!.at);
    if (i === 300) {
      const gpt = await t.gw.call('PATCH', `/api/providers/${openai}/models/gpt-4o`, {
        body: {
          pricing: {
            input_per_1m: 2,
            output_per_1m: 8,
            cached_input_per_1m: 1,
            effective_from: new Date(T0 + 90 * MIN).toISOString(),
          },
        },
      });
      const claude = await t.gw.call('PATCH', `/api/providers/${anthropic}/models/claude-sonnet`, {
        body: {
          pricing: {
            input_per_1m: 2.75,
            output_per_1m: 13.5,
            cached_input_per_1m: 0.275,
            effective_from: new Date(T0 + 120 * MIN).toISOString(),
          },
        },
      });
      expect([gpt.status, claude.status]).toEqual([200, 200]);
    }
    await Promise.all(events.slice(i, i + 25).map((e) => recordUsage(t.deps, e)));
  }
  await t.settle();
}, 120_000);

afterAll(async () => {
  await t.stop();
});

const sum = (list: UsageEvent[], f: (e: UsageEvent) => bigint | number) =>
  list.reduce((s, e) => s + BigInt(f(e)), 0n);
const of = (providerId: string) => events.filter((e) => e.providerId === providerId);
const ok = (e: UsageEvent) => e.outcome === 'success';

describe('usage: 1,000 calls priced at the price in force, exact', () => {
  it('spans both prices of each changed model (the test exercises the change)', () => {
    const gpt = events.filter((e) => e.modelId === 'gpt-4o' && ok(e));
    expect(gpt.some((e) => e.at < T0 + 90 * MIN) && gpt.some((e) => e.at >= T0 + 90 * MIN)).toBe(true);
  });

  it('counts requests, errors, tokens and cost in the hourly counters (summed over 4 shards) exactly', async () => {
    for (const providerId of [openai, anthropic]) {
      const mine = of(providerId);
      expect(BigInt(await hourlySum(t.deps, providerId, 'cost_nanos'))).toBe(sum(mine, expectedCost));
      expect(await hourlySum(t.deps, providerId, 'requests')).toBe(mine.length);
      expect(await hourlySum(t.deps, providerId, 'errors')).toBe(mine.filter((e) => !ok(e)).length);
      expect(BigInt(await hourlySum(t.deps, providerId, 'input_tokens'))).toBe(
        sum(mine, (e) => (ok(e) ? e.usage.input_tokens : 0)),
      );
      expect(BigInt(await hourlySum(t.deps, providerId, 'output_tokens'))).toBe(
        sum(mine, (e) => (ok(e) ? e.usage.output_tokens : 0)),
      );
    }
  });

  it('reports the same totals by hour, day and month, exact to the nano-dollar (so to the cent)', async () => {
    const expected = sum(of(openai), expectedCost);
    for (const granularity of ['hour', 'day', 'month']) {
      const res = await t.gw.call(
        'GET',
        `/api/providers/${openai}/usage?granularity=${granularity}&start_date=2031-03-10&end_date=2031-03-10`,
      );
      expect(res.status).toBe(200);
      expect(res.json.totals.cost_usd).toBe(Number(expected) / 1e9);
      expect(Math.round(res.json.totals.cost_usd * 100)).toBe(Number((expected + 5_000_000n) / 10_000_000n));
      expect(res.json.totals.requests).toBe(of(openai).length);
      expect(res.json.totals.characters).toBe(
        Number(sum(of(openai), (e) => (ok(e) ? (e.usage.characters ?? 0) : 0))),
      );
    }
    const hourly = await t.gw.call(
      'GET',
      `/api/providers/${openai}/usage?granularity=hour&start_date=2031-03-10&end_date=2031-03-10`,
    );
    expect(hourly.json.series).toHaveLength(24);
    const bySeries = hourly.json.series.reduce(
      (s: bigint, r: { cost_usd: number }) => s + BigInt(Math.round(r.cost_usd * 1e9)),
      0n,
    );
    expect(bySeries).toBe(expected);
  });

  it('reports across providers, by provider and by model, and as CSV', async () => {
    const all = await t.gw.call(
      'GET',
      '/api/usage?granularity=day&start_date=2031-03-10&end_date=2031-03-10&group_by=model',
    );
    expect(all.status).toBe(200);
    expect(all.json.totals.cost_usd).toBe(Number(sum(events, expectedCost)) / 1e9);
    expect(all.json.totals.requests).toBe(1000);
    for (const row of all.json.series as Array<{ group: string; cost_usd: number }>) {
      expect(BigInt(Math.round(row.cost_usd * 1e9))).toBe(
        sum(
          events.filter((e) => e.modelId === row.group),
          expectedCost,
        ),
      );
    }
    const csv = await t.gw.call(
      'GET',
      '/api/usage?granularity=hour&start_date=2031-03-10&end_date=2031-03-10&group_by=provider',
      {
        headers: { accept: 'text/csv' },
      },
    );
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = csv.text.trim().split('\r\n');
    const costAt = header!.split(',').indexOf('cost_usd');
    const total = rows.reduce((s, line) => s + BigInt(Math.round(Number(line.split(',')[costAt]) * 1e9)), 0n);
    expect(total).toBe(sum(events, expectedCost));
  });

  it('never counts a failed call as cost or tokens', async () => {
    const failed = events.filter((e) => !ok(e));
    expect(failed.length).toBeGreaterThan(20);
    const res = await t.gw.call(
      'GET',
      `/api/providers/${openai}/usage?granularity=month&start_date=2031-03-01&end_date=2031-03-31`,
    );
    expect(res.json.totals.errors).toBe(of(openai).filter((e) => !ok(e)).length);
    expect(res.json.totals.unpriced_requests).toBe(0);
  });
});

describe('usage: group commit', () => {
  it('stores 50 concurrent calls of one counter in a few writes, every amount counted once', async () => {
    const providerId = await t.provider('group-commit');
    let writes = 0;
    // Counter writes only: the stream consumers write roll-ups and audit events meanwhile.
    const stop = t.deps.table.observe((op, key) => {
      if (op === 'UpdateItem' && JSON.stringify(key).includes('"H#')) writes += 1;
    });
    const recorded = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        recordUsage(
          t.deps,
          usageEvent({
            at: T0,
            providerId,
            usage: { input_tokens: i + 1, output_tokens: 2, cached_input_tokens: 0 },
          }),
        ),
      ),
    );
    stop();
    expect(recorded).toHaveLength(50);
    expect(writes).toBeLessThanOrEqual(5);
    expect(await hourlySum(t.deps, providerId, 'requests')).toBe(50);
    expect(await hourlySum(t.deps, providerId, 'input_tokens')).toBe((50 * 51) / 2);
    expect(await hourlySum(t.deps, providerId, 'output_tokens')).toBe(100);
  });
});

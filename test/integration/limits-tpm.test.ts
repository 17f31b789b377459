/**
 * Tokens-per-minute charges reconciled with what was used, over the real local runtime: a key's own
 * `rate_limit_tpm` admits exactly its tokens under a concurrent burst and settles each window to the
 * usage reported; a refused or failed call gives its charge back; no key takes more of the gateway's
 * shared token budget than its own limit. Each test runs in a fresh one-minute window.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatShape, tokenBound } from '../../lib/services/ai/bounds.js';
import { mintKey } from './access-fixtures.js';
import {
  GreedyUpstream,
  seedGreedyProvider,
  strictKeyQuota,
  textBytes,
  windowCounts,
} from './limits-fixtures.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-04-02T09:00:00.000Z');
const GLOBAL_TPM = 200_000;
let t: UsageGateway;
let provider: string;
let minute = 0;
const greedy = new GreedyUpstream();
/** Polling budget for a burst of 50 on two shared cores. */
const SLOW = { timeout: 15_000 };

const messages = [{ role: 'user', content: 'count me' }];
const body = { model: 'greedy-chat', max_tokens: 100, messages };
/** What one such chat is charged at admission: its bound on greedy-chat. */
const CHARGE = tokenBound(chatShape(body as never), { modelId: 'greedy-chat' });
const chat = (key: string, over: Record<string, unknown> = {}) =>
  t.gw.call('POST', '/v1/chat/completions', { key, body: { ...body, ...over } });

beforeAll(async () => {
  const origin = await greedy.fake.start();
  t = await startUsageGateway(T0, {
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
    HEALTH_SCHEDULE: 'off',
    GLOBAL_RATE_LIMIT_TPM: String(GLOBAL_TPM),
    PROVIDER_MAX_RETRIES: '0',
  });
  provider = await seedGreedyProvider(t.gw, origin, { rate_limit_tpm: 10_000_000 });
});
beforeEach(() => {
  greedy.release();
  minute += 1;
  t.clock.set(T0 + minute * 60_000);
  greedy.outputTokens = undefined;
});
afterAll(async () => {
  greedy.release();
  await t.stop();
  await greedy.fake.stop();
});

describe('TPM: a key with its own rate_limit_tpm', () => {
  it('admits exactly its tokens of 50 concurrent requests, then settles the window to the usage', async () => {
    const key = await mintKey(t.gw, { role: 'invoke', rate_limit_tpm: 10 * CHARGE });
    greedy.outputTokens = 7; // the provider answers short: 7 of the 100 tokens allowed
    greedy.hold();
    const seen = greedy.fake.to('/v1/chat/completions').length;
    let refused = 0;
    const answers = Array.from({ length: 50 }, () =>
      chat(key.key).then((a) => {
        if (a.status === 429) refused++;
        return a;
      }),
    );
    // Every request is decided before any answer settles: 10 reach the provider, 40 are refused.
    await expect.poll(() => refused, SLOW).toBe(40);
    await expect.poll(() => greedy.fake.to('/v1/chat/completions').length - seen, SLOW).toBe(10);
    expect(await windowCounts(t.deps, `key:${key.id}`)).toEqual({ tokens: 10 * CHARGE, requests: 10 });
    greedy.release();
    const done = await Promise.all(answers);
    expect(done.filter((a) => a.status === 200)).toHaveLength(10);
    for (const a of done.filter((d) => d.status === 429)) {
      expect(a.json.error).toMatchObject({ code: 'rate_limited', details: { scope: 'key' } });
    }

    const used = textBytes(messages) + 7;
    await expect
      .poll(() => windowCounts(t.deps, `key:${key.id}`), SLOW)
      .toEqual({ tokens: 10 * used, requests: 10 });
    // The provider's and the gateway's windows are settled the same way.
    expect((await windowCounts(t.deps, `provider:${provider}`)).tokens).toBe(10 * used);
    expect((await windowCounts(t.deps, 'global')).tokens).toBe(10 * used);
    // What was given back admits more requests in the same minute, and exactly as many as fit.
    const room = 10 * CHARGE - 10 * used;
    const more = await Promise.all(Array.from({ length: 10 }, () => chat(key.key)));
    expect(more.filter((a) => a.status === 200)).toHaveLength(Math.min(10, Math.floor(room / CHARGE)));
  });

  it('cannot take more of the shared gateway budget than its own limit', async () => {
    const greedyKey = await mintKey(t.gw, { role: 'invoke', rate_limit_tpm: 3 * CHARGE });
    const other = await mintKey(t.gw, { role: 'invoke' });
    greedy.hold();
    const burst = Array.from({ length: 20 }, () => chat(greedyKey.key));
    await expect.poll(async () => (await windowCounts(t.deps, 'global')).requests, SLOW).toBe(3);
    expect((await windowCounts(t.deps, 'global')).tokens).toBe(3 * CHARGE);
    greedy.release();
    expect((await Promise.all(burst)).filter((a) => a.status === 200)).toHaveLength(3);
    expect((await chat(other.key)).status).toBe(200);
  });

  it('is no wider than the key that mints it', async () => {
    const parent = await mintKey(t.gw, { role: 'admin', rate_limit_tpm: 1000 });
    const wider = await t.gw.call('POST', '/api/keys', {
      key: parent.key,
      body: { name: 'wider', role: 'invoke', rate_limit_tpm: 2000 },
    });
    expect(wider.status).toBe(403);
    expect(wider.json.error.details).toMatchObject({ fields: ['rate_limit_tpm'] });
    const shown = await t.gw.call('GET', `/api/keys/${parent.id}`);
    expect(shown.json.rate_limit_tpm).toBe(1000);
  });
});

describe('TPM: charges given back', () => {
  const huge = { max_tokens: GLOBAL_TPM - 100 };

  it('refunds a request for a model that does not exist (nothing is charged)', async () => {
    const [a, b] = [await mintKey(t.gw, { role: 'invoke' }), await mintKey(t.gw, { role: 'invoke' })];
    expect((await chat(a.key, { ...huge, model: 'no-such-model' })).status).toBe(404);
    expect((await chat(b.key)).status).toBe(200);
  });

  it('refunds the tokens of a call the provider refused', async () => {
    const [a, b] = [await mintKey(t.gw, { role: 'invoke' }), await mintKey(t.gw, { role: 'invoke' })];
    greedy.fake.script('POST /v1/chat/completions', {
      kind: 'json',
      status: 400,
      body: { error: { message: 'bad request', type: 'invalid_request_error' } },
    });
    expect((await chat(a.key, huge)).status).toBe(400);
    expect(await windowCounts(t.deps, 'global')).toEqual({ tokens: 0, requests: 1 });
    expect((await windowCounts(t.deps, `provider:${provider}`)).tokens).toBe(0);
    expect((await chat(b.key)).status).toBe(200);
  });

  it('refunds a call a strict quota refused before any upstream call', async () => {
    const a = await mintKey(t.gw, { role: 'invoke' });
    await strictKeyQuota(t.gw, a.id, { quota_type: 'daily_tokens', limit_value: 10 });
    expect((await chat(a.key, huge)).status).toBe(429);
    expect(await windowCounts(t.deps, 'global')).toEqual({ tokens: 0, requests: 0 });
  });
});

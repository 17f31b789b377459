/**
 * Strict quotas hold for every request shape, over the real local runtime: a caller asking for many
 * choices, sending token ids, or calling models priced per character or per second against a
 * provider that bills the most each request allows is held at that most before the call, so a
 * concurrent burst never spends past the limit. (Image generation's n × per-image price:
 * `ai-images-moderations.test.ts`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey } from './access-fixtures.js';
import {
  budgetOf,
  GreedyUpstream,
  seedGreedyProvider,
  strictKeyQuota,
  textBytes,
  transcriptionForm,
} from './limits-fixtures.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-03-10T12:00:00.000Z');
const DAY = '2031-03-10';
let t: UsageGateway;
const greedy = new GreedyUpstream();

async function keyWithQuota(body: { quota_type: string; limit_value: number }) {
  const key = await mintKey(t.gw, { role: 'invoke' });
  return { key: key.key, quotaId: await strictKeyQuota(t.gw, key.id, body) };
}

const post = (key: string, path: string, body: unknown) => t.gw.call('POST', path, { key, body });

beforeAll(async () => {
  const origin = await greedy.fake.start();
  t = await startUsageGateway(T0, { ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'off' });
  await seedGreedyProvider(t.gw, origin);
});
afterAll(async () => {
  await t.stop();
  await greedy.fake.stop();
});

describe('strict holds: every choice of a chat', () => {
  it('refuses n: 16 × 100 tokens against 1,000 before any upstream call', async () => {
    const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_tokens', limit_value: 1000 });
    const before = greedy.fake.requests.length;
    const res = await post(key, '/v1/chat/completions', {
      model: 'greedy-chat',
      n: 16,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status, res.text).toBe(429);
    expect(res.json.error).toMatchObject({ code: 'quota_exceeded', details: { quota_id: quotaId } });
    expect(greedy.fake.requests.length).toBe(before);
  });

  it('admits a burst of n: 4 chats only as far as every choice fits, and never spends past the limit', async () => {
    const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_tokens', limit_value: 1000 });
    const body = { model: 'greedy-chat', n: 4, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(key, '/v1/chat/completions', body)),
    );
    const served = answers.filter((a) => a.status === 200);
    expect(served.length).toBe(2); // each holds 400 output tokens and its prompt's bound
    for (const a of served) expect(a.json.choices).toHaveLength(4);
    const billed = served.length * (400 + textBytes(body.messages));
    await expect
      .poll(() => budgetOf(t.deps, quotaId, DAY))
      .toEqual({ committed: billed, reserved: 0, used: billed });
    expect(billed).toBeLessThanOrEqual(1000);
  });
});

describe('strict holds: the prompt of the Responses and Anthropic fronts', () => {
  it('holds the prompt of /v1/responses and /v1/messages at its bytes, not a 4-character guess', async () => {
    const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_tokens', limit_value: 1000 });
    // 600 CJK characters: 1,800 bytes, which a provider may bill as up to 1,800 tokens.
    const prompt = '预算'.repeat(300);
    const before = greedy.fake.requests.length;
    const responses = await post(key, '/v1/responses', {
      model: 'greedy-chat',
      input: prompt,
      max_output_tokens: 100,
    });
    expect(responses.status, responses.text).toBe(429);
    expect(responses.json.error).toMatchObject({ code: 'quota_exceeded' });
    const messages = await post(key, '/v1/messages', {
      model: 'greedy-chat',
      max_tokens: 100,
      messages: [{ role: 'user', content: prompt }],
    });
    expect(messages.status, messages.text).toBe(429);
    expect(messages.json.error).toMatchObject({ type: 'rate_limit_error', code: 'quota_exceeded' });
    expect(greedy.fake.requests.length).toBe(before);
    expect(await budgetOf(t.deps, quotaId, DAY)).toEqual({ committed: 0, reserved: 0, used: 0 });
  });
});

describe('strict holds: token-id inputs count as their length', () => {
  it('refuses embeddings of 5,300 token ids against a 3,000-token quota', async () => {
    const { key } = await keyWithQuota({ quota_type: 'daily_tokens', limit_value: 3000 });
    const ids = Array.from({ length: 5300 }, (_, i) => i % 1000);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(key, '/v1/embeddings', { model: 'greedy-embed', input: ids })),
    );
    expect(answers.map((a) => a.status)).toEqual([429, 429, 429, 429, 429]);
  });

  it('admits batches of token arrays up to the quota, never past it', async () => {
    const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_tokens', limit_value: 3000 });
    const input = [Array.from({ length: 600 }, (_, i) => i), Array.from({ length: 400 }, (_, i) => i)];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(key, '/v1/embeddings', { model: 'greedy-embed', input })),
    );
    const served = answers.filter((a) => a.status === 200).length;
    expect(served).toBe(2);
    await expect
      .poll(() => budgetOf(t.deps, quotaId, DAY))
      .toEqual({ committed: 2000, reserved: 0, used: 2000 });
  });
});

describe('strict holds: per-character and per-second prices', () => {
  it('holds speech at its characters: ten concurrent calls spend at most the $0.01 budget', async () => {
    const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_cost', limit_value: 0.01 });
    const input = 'a'.repeat(200); // 200 × $0.000015 = $0.003
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(key, '/v1/audio/speech', { model: 'greedy-tts', voice: 'alloy', input }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    await expect
      .poll(() => budgetOf(t.deps, quotaId, DAY))
      .toEqual({ committed: 9_000_000, reserved: 0, used: 9_000_000 });
  });

  it('holds a transcription at the longest its upload can play', async () => {
    const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_cost', limit_value: 0.025 });
    // 75,000 bytes at 6 kbit/s: 100 s × $0.0001 = $0.01 each; the provider bills all 100 s.
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${t.gw.url}/v1/audio/transcriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: transcriptionForm('greedy-stt', 75_000),
        }),
      ),
    );
    await Promise.all(answers.map((a) => a.arrayBuffer()));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    await expect
      .poll(() => budgetOf(t.deps, quotaId, DAY))
      .toEqual({ committed: 20_000_000, reserved: 0, used: 20_000_000 });
  });

  it.each(['text', 'srt'])(
    'settles a %s transcription, which reports no usage, at its hold: a strict budget never counts less',
    async (format) => {
      const { key, quotaId } = await keyWithQuota({ quota_type: 'daily_cost', limit_value: 0.025 });
      const send = () =>
        fetch(`${t.gw.url}/v1/audio/transcriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: transcriptionForm('greedy-stt', 75_000, format),
        });
      // Held at $0.01 each (100 s); the provider billed up to that, so two fit and a third is refused.
      for (const expected of [200, 200, 429]) {
        const answer = await send();
        const text = await answer.text();
        expect(answer.status).toBe(expected);
        if (expected === 200) expect(text).toContain('heard');
        await expect.poll(async () => (await budgetOf(t.deps, quotaId, DAY)).reserved).toBe(0);
      }
      expect(await budgetOf(t.deps, quotaId, DAY)).toEqual({
        committed: 20_000_000,
        reserved: 0,
        used: 20_000_000,
      });
    },
  );
});

import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { CHAT_MODEL, chatBody, useCacheWorld } from './cache-fixtures.js';

const world = useCacheWorld();

/** Streams a chat with the official OpenAI SDK; returns the text, the chunks and the cache header. */
async function streamChat(text: string) {
  const { data, response } = await world
    .openai()
    .chat.completions.create({ ...chatBody(text), stream: true, stream_options: { include_usage: true } })
    .withResponse();
  let content = '';
  let usage: unknown;
  let chunks = 0;
  for await (const chunk of data) {
    chunks++;
    content += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  await world.gw.runtime.idle();
  return { content, usage, chunks, cache: response.headers.get('x-gateway-cache') };
}

describe('response cache: streamed answers', () => {
  it('replays a streamed hit as a valid stream to the official openai client, with the same text and usage', async () => {
    // Prepare
    const before = world.chatCalls();
    // Act
    const first = await streamChat('stream me');
    const second = await streamChat('stream me');
    // Assess
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.content).toBe('echo: stream me');
    expect(second.content).toBe(first.content);
    expect(second.usage).toEqual(first.usage);
    expect(second.chunks).toBe(first.chunks);
    expect(world.chatCalls() - before).toBe(1);
  });

  it('replays an Anthropic event stream on /v1/messages to the official Anthropic client', async () => {
    const anthropic = new Anthropic({ baseURL: world.gw.url, apiKey: world.gw.adminKey, maxRetries: 0 });
    const ask = async () => {
      const stream = anthropic.messages.stream({
        model: CHAT_MODEL,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'anthropic stream' }],
      });
      const message = await stream.finalMessage();
      await world.gw.runtime.idle();
      return message;
    };
    const before = world.chatCalls();
    const first = await ask();
    const second = await ask();
    const text = (m: Anthropic.Message) => m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text(second)).toBe('echo: anthropic stream');
    expect(text(second)).toBe(text(first));
    expect(second.stop_reason).toBe('end_turn');
    expect(world.chatCalls() - before).toBe(1);
  });

  it('replays a Responses event stream on /v1/responses (a new response id each time)', async () => {
    const openai = world.openai();
    const ask = async () => {
      const stream = await openai.responses.create({
        model: CHAT_MODEL,
        input: 'responses stream',
        stream: true,
      });
      let text = '';
      let completedId = '';
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') completedId = event.response.id;
      }
      await world.gw.runtime.idle();
      return { text, completedId };
    };
    const before = world.chatCalls();
    const first = await ask();
    const second = await ask();
    expect(second.text).toBe('echo: responses stream');
    expect(second.text).toBe(first.text);
    expect(second.completedId).not.toBe(first.completedId);
    expect(world.chatCalls() - before).toBe(1);
  });
});

describe('response cache: accounting', () => {
  it('records hits in usage with their tokens and the cost saved, at no cost; reports and CSV show them', async () => {
    // Prepare: one miss, two hits of a priced model (12 input + 7 output tokens each)
    const { call } = world;
    const body = chatBody('count my savings');
    for (let i = 0; i < 3; i++) await call('POST', '/v1/chat/completions', { body });
    // Act
    const report = await call('GET', `/api/usage?granularity=hour&group_by=model`);
    const csv = await call('GET', `/api/usage?granularity=hour`, { headers: { accept: 'text/csv' } });
    // Assess
    expect(report.status).toBe(200);
    const totals = report.json.totals;
    expect(totals.cache_hits).toBeGreaterThanOrEqual(2);
    expect(totals.cache_hit_tokens).toBe(totals.cache_hits * 19);
    // 12 × $2.5/M + 7 × $10/M = $0.0001 per hit saved; the miss alone cost the same.
    expect(totals.cost_saved_usd).toBeCloseTo(totals.cache_hits * 0.0001, 10);
    expect(totals.cache_hit_rate).toBeCloseTo(totals.cache_hits / totals.requests, 3);
    expect(totals.cost_usd).toBeCloseTo((totals.requests - totals.cache_hits - totals.errors) * 0.0001, 10);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header).toContain('cache_hits,cache_hit_rate,cache_hit_tokens,cost_saved_usd');
    expect(rows.length).toBeGreaterThan(0);
  });
});

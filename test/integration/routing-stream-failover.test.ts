/**
 * A streamed chat fails over only before its first chunk, through the whole local runtime: a
 * primary that refuses before any byte hands the stream to the fallback; a primary that breaks
 * after its first chunk ends the caller's stream with an error event, and the fallback is never
 * called (the caller already holds part of one answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, useFakeUpstreams } from '../fakes/harness.js';
import { chatStreamEvents, createOpenAIFake } from '../fakes/openai.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

const CHAT = 'POST /v1/chat/completions';
const MESSAGES = [{ role: 'user', content: 'one two three four' }];
const { primary, fallback } = useFakeUpstreams({ primary: createOpenAIFake(), fallback: createOpenAIFake() });
let gw: TestGateway;

/** An openai provider on `origin` with a key and the streaming model; returns its id. */
const provider = (name: string, origin: string) =>
  seedProvider(
    gw,
    { name, provider_type: 'openai', service_types: ['llm'], base_url: `${origin}/v1` },
    { apiKey: TEST_KEY, models: [{ model_id: 'gpt-4o', model_type: 'llm', capabilities: ['streaming'] }] },
  );

/** The `data:` payloads of an SSE body, in order. */
function dataOf(body: string): string[] {
  return body
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

const streamChat = () =>
  gw.call('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', messages: MESSAGES, stream: true } });

beforeAll(async () => {
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', ROUTING_CACHE_TTL: '0' });
  const first = await provider('stream-primary', primary.origin);
  const second = await provider('stream-fallback', fallback.origin);
  const rule = await gw.call('POST', '/api/providers/routing-rules', {
    body: {
      rule_name: 'stream failover',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'gpt-4o',
      provider_ids: [first, second],
      retry_policy: { max_attempts: 2, backoff_base_ms: 10, backoff_max_ms: 50 },
    },
  });
  expect(rule.status, rule.text).toBe(201);
});
// Runs before the fakes' teardown: the gateway stops while its upstreams are still there.
afterAll(async () => {
  await gw.stop();
});

describe('routing: a streamed chat fails over only before its first chunk', () => {
  it('streams from the fallback when the primary answers 503 before any byte', async () => {
    primary.script(CHAT, { kind: 'json', status: 503, body: { error: { message: 'overloaded' } } });
    const res = await streamChat();
    expect(res.status).toBe(200);
    const events = dataOf(res.text);
    expect(events.at(-1)).toBe('[DONE]');
    const text = events
      .slice(0, -1)
      .map((data) => JSON.parse(data).choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('echo: one two three four');
    expect([primary.to('/v1/chat/completions').length, fallback.to('/v1/chat/completions').length]).toEqual([
      1, 1,
    ]);
  });

  it('ends the stream with an error event when the primary breaks after its first chunk, never calling the fallback', async () => {
    const events = chatStreamEvents({ model: 'gpt-4o', messages: MESSAGES });
    // Two chunks 50 ms apart, then the connection drops: the first reaches the gateway on its own.
    primary.script(CHAT, { kind: 'sse', events: events.slice(0, 2), gapMs: 50, endEarly: true });
    const res = await streamChat();
    expect(res.status).toBe(200);
    const received = dataOf(res.text);
    expect(JSON.parse(received[0]!).choices[0].delta).toMatchObject({ role: 'assistant' });
    expect(JSON.parse(received[1]!).choices[0].delta.content).toBe('echo: ');
    expect(received).not.toContain('[DONE]');
    expect(JSON.parse(received.at(-1)!)).toMatchObject({
      error: { code: 'upstream_connect_error', request_id: res.headers.get('x-request-id') },
    });
    expect(primary.to('/v1/chat/completions')).toHaveLength(1);
    expect(fallback.requests).toHaveLength(0);
  });
});

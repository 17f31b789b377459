/**
 * A stream fails over only before its first byte. Once the caller has part of an answer, another
 * provider must not start a second one: the stream ends (cut) and the fallback is never called.
 * Structure, not a flag: an attempt resolves only once the upstream's first chunk has arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let primary: FakeUpstream;
let fallback: FakeUpstream;

const chunk = (content: string) => ({
  id: 'chatcmpl-cut',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-cut',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

async function provider(name: string, upstream: FakeUpstream, priority: number) {
  const res = await gw.call('POST', '/api/providers', {
    body: providerBody(name, { base_url: `${upstream.origin}/v1`, priority }),
  });
  await gw.call('POST', `/api/providers/${res.json.id}/models`, {
    body: { model_id: 'gpt-cut', model_type: 'llm' },
  });
  await gw.call('POST', `/api/providers/${res.json.id}/credentials`, {
    body: { credential_type: 'api_key', credential_value: `fake-${name}-credential-0000` },
  });
  return res.json.id as string;
}

beforeAll(async () => {
  primary = createOpenAIFake();
  fallback = createOpenAIFake();
  await Promise.all([primary.start(), fallback.start()]);
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'off' });
  const a = await provider('cut-primary', primary, 1);
  const b = await provider('cut-fallback', fallback, 2);
  await gw.call('POST', '/api/providers/routing-rules', {
    body: {
      rule_name: 'cut',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'gpt-cut',
      provider_ids: [a, b],
    },
  });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([primary.stop(), fallback.stop()]);
});

describe('failover: streams', () => {
  it('does not fail a stream over after its first chunk: the caller gets the cut stream, the fallback nothing', async () => {
    // Prepare: the primary sends two chunks a moment apart, then drops the connection (if both
    // arrived with the drop, nothing would have reached the caller yet, and failing over is right)
    primary.script('POST /v1/chat/completions', {
      kind: 'sse',
      events: [{ data: chunk('Hel') }, { data: chunk('lo') }],
      gapMs: 100,
      endEarly: true,
    });
    // Act
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-cut', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text().catch((error: unknown) => `(cut: ${String(error)})`);
    // Assess
    expect(res.status).toBe(200);
    expect(text).toContain('Hel');
    expect(text).toContain('lo');
    expect(text).not.toContain('[DONE]');
    // The break is an error event in our envelope, after what was already sent.
    expect(text).toContain('"error"');
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(0);
  });

  it('fails a stream over when the primary breaks before its first chunk', async () => {
    primary.reset();
    primary.script('POST /v1/chat/completions', {
      kind: 'json',
      status: 503,
      body: { error: { message: 'busy' } },
    });
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'gpt-cut', stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('[DONE]');
    expect(res.headers.get('x-gateway-provider')).toBe('cut-fallback');
  });
});

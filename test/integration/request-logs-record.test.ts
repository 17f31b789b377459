import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { recordOf as pollRecord } from './request-logs-fixtures.js';

const recordOf = (requestId: string) => pollRecord(gw, requestId);

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ MOCK_PROVIDER: 'on' });
});
afterAll(async () => {
  await gw?.stop();
});

describe('request logs: one record per AI request', () => {
  it('finds a chat completion by its x-request-id with who, what, how long and how much', async () => {
    // Prepare / Act
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }], user: 'end-user-7' },
      headers: { 'x-gateway-metadata': '{"feature":"search","tenant":42}', 'user-agent': 'log-test/1.0' },
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    // Assess
    const log = await recordOf(requestId);
    expect(log.status).toBe(200);
    expect(log.json).toMatchObject({
      request_id: requestId,
      route: 'POST /v1/chat/completions',
      model_requested: 'mock-chat',
      model: 'mock-chat',
      status: 200,
      outcome: 'success',
      error_code: null,
      stream: false,
      user_agent: 'log-test/1.0',
      tags: { feature: 'search', tenant: '42' },
      user: 'end-user-7',
      limits: { rate_limit: 'passed', quota: 'passed' },
      payload_logged: false,
    });
    expect(log.json.attempts).toHaveLength(1);
    expect(log.json.attempts[0]).toMatchObject({ status: 200, failure: null });
    expect(log.json.tokens.input).toBeGreaterThan(0);
    expect(log.json.latency_ms.total).toBeGreaterThanOrEqual(log.json.latency_ms.upstream);
    expect(log.json.payload).toBeNull();
  });

  it('records a stream with its time to first byte', async () => {
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'mock-chat', stream: true, messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(res.status).toBe(200);
    const log = await recordOf(res.headers.get('x-request-id')!);
    expect(log.json).toMatchObject({ stream: true, outcome: 'success', status: 200 });
    expect(log.json.ttfb_ms).toBeGreaterThan(0);
  });

  it('records a refused request with its status and error code, and no provider', async () => {
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(res.status).toBe(404);
    const log = await recordOf(res.headers.get('x-request-id')!);
    expect(log.json).toMatchObject({
      status: 404,
      outcome: 'error',
      error_code: res.json.error.code,
      provider_id: null,
      model_requested: 'no-such-model',
    });
  });

  it('answers 400 for a malformed x-gateway-metadata header, and logs it', async () => {
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] },
      headers: { 'x-gateway-metadata': '[1,2]' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_metadata');
    const log = await recordOf(res.headers.get('x-request-id')!);
    expect(log.json).toMatchObject({ status: 400, error_code: 'invalid_metadata' });
  });

  const operations: Array<[string, Record<string, unknown>]> = [
    ['/v1/embeddings', { model: 'mock-embed', input: 'hello' }],
    ['/v1/rerank', { model: 'mock-rerank', query: 'q', documents: ['a', 'b'] }],
    ['/v1/audio/speech', { model: 'mock-tts', input: 'hello', voice: 'alloy' }],
    ['/v1/images/generations', { model: 'mock-image', prompt: 'a cat' }],
    ['/v1/moderations', { model: 'mock-moderation', input: 'hello' }],
    ['/v1/messages', { model: 'mock-chat', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }],
    ['/v1/responses', { model: 'mock-chat', input: 'Hi' }],
  ];

  it.each(operations)('keeps a record of %s', async (path, body) => {
    const res = await gw.call('POST', path, { body });
    expect(res.status, res.text).toBe(200);
    const log = await recordOf(res.headers.get('x-request-id')!);
    expect(log.json).toMatchObject({ route: `POST ${path}`, status: 200, outcome: 'success' });
    expect(log.json.model).toBe(body.model);
  });

  it('keeps no record of count_tokens (no upstream call, no usage)', async () => {
    const res = await gw.call('POST', '/v1/messages/count_tokens', {
      body: { model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(res.status, res.text).toBe(200);
    await gw.runtime.idle();
    const log = await gw.call('GET', `/api/logs/${res.headers.get('x-request-id')}`);
    expect(log.status).toBe(404);
  });
});

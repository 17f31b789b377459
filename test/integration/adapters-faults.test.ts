import { describe, expect, it } from 'vitest';
import {
  collect,
  upstreamFailure as failure,
  openAIChat,
  TEST_KEY,
  useFakeUpstreams,
} from '../fakes/harness.js';
import { chatStreamEvents, createOpenAIFake } from '../fakes/openai.js';
import type { Behaviour } from '../fakes/server.js';

const { fake, deps } = useFakeUpstreams({ fake: createOpenAIFake() });
const { chat } = openAIChat(fake, deps);

const CHAT = 'POST /v1/chat/completions';
const completionWithUsage = (usage: unknown): Behaviour => ({
  kind: 'json',
  body: {
    id: 'x',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    usage,
  },
});

describe('upstream faults: status classification over real sockets', () => {
  it.each([
    [400, { error: { message: 'bad', type: 'invalid_request_error' } }, 'invalid_request', false, 400],
    [401, { error: { message: 'no', code: 'invalid_api_key' } }, 'authentication', false, 502],
    [403, { error: { message: 'no' } }, 'permission', false, 502],
    [404, { error: { message: 'no model' } }, 'not_found', false, 404],
    [408, { error: { message: 'slow' } }, 'timeout', true, 504],
    [413, { error: { message: 'big' } }, 'request_too_large', false, 413],
    [422, { detail: 'unprocessable' }, 'invalid_request', false, 400],
    [429, { error: { message: 'slow down', type: 'requests' } }, 'rate_limited', true, 429],
    [
      429,
      { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } },
      'quota_exceeded',
      false,
      429,
    ],
    [500, { error: { message: 'boom' } }, 'server_error', true, 502],
    [502, { error: { message: 'bad gateway' } }, 'server_error', true, 502],
    [503, { error: { message: 'unavailable' } }, 'overloaded', true, 503],
    [529, { error: { message: 'overloaded' } }, 'overloaded', true, 503],
  ])('%i %j → %s (retryable %s, gateway %i)', async (status, body, type, retryable, gateway) => {
    fake.script(CHAT, { kind: 'json', status, body });
    const error = await failure(chat());
    expect(error).toMatchObject({
      type,
      retryable,
      statusCode: gateway,
      upstreamStatus: status,
      provider: 'openai',
    });
  });

  it('reads Retry-After in seconds and as an HTTP date (429 and 503)', async () => {
    fake.script(CHAT, { kind: 'json', status: 429, body: {}, headers: { 'retry-after': '7' } });
    expect((await failure(chat())).retryAfterMs).toBe(7000);
    const at = new Date(Date.now() + 30_000).toUTCString();
    fake.script(CHAT, { kind: 'json', status: 503, body: {}, headers: { 'retry-after': at } });
    const error = await failure(chat());
    expect(error.retryAfterMs).toBeGreaterThan(27_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(error.headers['retry-after']).toMatch(/^(28|29|30)$/);
  });

  it('never echoes the credential from an upstream error message', async () => {
    fake.script(CHAT, {
      kind: 'json',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${TEST_KEY}.` } },
    });
    const error = await failure(chat());
    expect(error.message).toContain('[redacted]');
    expect(JSON.stringify(error.toJSON())).not.toContain(TEST_KEY);
  });

  it('passes on only the error type and a cleaned message: no key hint, organization, project or account id', async () => {
    // Prepare: an OpenAI 401 as it is worded, with a masked key hint and account ids
    const hint = 'sk-proj-' + '*'.repeat(36) + 'wxyz';
    const org = 'org-' + 'Q7pX2mN4vB9kL1sT';
    const project = 'proj_' + 'Zr8YwE3uT6oP0aH2';
    fake.script(CHAT, {
      kind: 'json',
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${hint}. Project ${project} of organization ${org} (arn:aws:iam::123456789012:role/x, owner ops@example.com).`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    // Act
    const error = await failure(chat());
    // Assess
    const shown = JSON.stringify(error.toJSON());
    for (const leak of ['wxyz', '****', 'sk-proj', org, project, '123456789012', 'ops@example.com']) {
      expect(shown, leak).not.toContain(leak);
    }
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.upstreamType).toBe('invalid_api_key');
  });

  it('drops a provider error type that is not identifier-shaped', async () => {
    fake.script(CHAT, {
      kind: 'json',
      status: 400,
      body: { error: { message: 'bad', code: `key ${'sk-abc'}...wxyz is not valid` } },
    });
    expect((await failure(chat())).upstreamType).toBeNull();
  });

  it('classifies an HTML 502 page as a retryable server error without echoing it', async () => {
    fake.script(CHAT, {
      kind: 'raw',
      status: 502,
      body: '<html><body>Bad Gateway</body></html>',
      contentType: 'text/html',
    });
    const error = await failure(chat());
    expect(error).toMatchObject({ type: 'server_error', retryable: true });
    expect(error.message).not.toContain('<html>');
  });
});

describe('upstream faults: hostile bodies', () => {
  it.each([
    ['malformed JSON', { kind: 'raw', body: '{"choices": [' } as Behaviour, /not valid JSON/],
    [
      'HTML with 200',
      { kind: 'raw', body: '<!doctype html><p>hi</p>', contentType: 'text/html' } as Behaviour,
      /HTML/,
    ],
    [
      'an oversized body (content-length)',
      { kind: 'oversized', bytes: 11 * 1024 * 1024 } as Behaviour,
      /larger than/,
    ],
    [
      'an oversized body (chunked)',
      { kind: 'oversized', bytes: 11 * 1024 * 1024, chunked: true } as Behaviour,
      /larger than/,
    ],
    ['JSON without choices', { kind: 'json', body: { id: 'x' } } as Behaviour, /without choices/],
  ])('%s → bad_upstream_response (502)', async (_name, behaviour, message) => {
    fake.script(CHAT, behaviour);
    const error = await failure(chat());
    expect(error).toMatchObject({ type: 'bad_upstream_response', statusCode: 502, retryable: false });
    expect(error.message).toMatch(message);
  });

  it.each([
    ['negative', { prompt_tokens: -5, completion_tokens: 1 }],
    ['fractional', { prompt_tokens: 1.5, completion_tokens: 1 }],
    ['a string', { prompt_tokens: '12', completion_tokens: 1 }],
    ['absurd', { prompt_tokens: 1e12, completion_tokens: 1 }],
  ])('usage that is %s is refused, never counted', async (_name, usage) => {
    fake.script(CHAT, completionWithUsage(usage));
    const error = await failure(chat());
    expect(error).toMatchObject({ type: 'bad_upstream_response', statusCode: 502 });
    expect(error.message).toMatch(/usage/);
  });

  it('answers despite usage parts that do not add up, counting at most the whole', async () => {
    fake.script(
      CHAT,
      completionWithUsage({
        prompt_tokens: 2,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 5 },
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    );
    const result = await chat();
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.usage).toEqual({
      input_tokens: 2,
      output_tokens: 1,
      cached_input_tokens: 2,
      reasoning_tokens: 1,
    });
  });

  it('refuses a JSON answer to a streaming request', async () => {
    fake.script(CHAT, { kind: 'json', body: { id: 'x', choices: [] } });
    expect(await failure(chat({ stream: true }))).toMatchObject({ type: 'bad_upstream_response' });
  });

  it('reports an unterminated stream (closed before any finish) and an in-stream error event', async () => {
    const events = chatStreamEvents({ model: 'm', messages: [{ role: 'user', content: 'a b c' }] });
    fake.script(CHAT, { kind: 'sse', events: events.slice(0, 2) });
    const truncated = await chat({ stream: true });
    if (!truncated.stream) throw new Error('expected a stream');
    await expect(collect(truncated.stream)).rejects.toMatchObject({ type: 'bad_upstream_response' });

    fake.script(CHAT, {
      kind: 'sse',
      events: [
        ...events.slice(0, 2),
        { data: { error: { message: 'model crashed', type: 'server_error' } } },
      ],
    });
    const broken = await chat({ stream: true });
    if (!broken.stream) throw new Error('expected a stream');
    await expect(collect(broken.stream)).rejects.toMatchObject({
      type: 'server_error',
      message: expect.stringMatching(/model crashed/),
    });
  });
});

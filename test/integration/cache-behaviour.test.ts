import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ServiceUnavailableError } from '../../lib/errors.js';
import { chatStreamEvents } from '../fakes/openai.js';
import { chatBody, useCacheWorld } from './cache-fixtures.js';

const world = useCacheWorld();

/** A whole chat answer the fake upstream sends once, saying `content`. */
const completion = (content: string) => ({
  kind: 'json' as const,
  body: {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_700_000_001,
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
  },
});

describe('response cache: identical requests', () => {
  it('answers the second identical chat from the cache: the upstream sees one call, the content is the same', async () => {
    // Prepare
    const { call } = world;
    const before = world.chatCalls();
    // Act
    const first = await call('POST', '/v1/chat/completions', { body: chatBody('same question') });
    const second = await call('POST', '/v1/chat/completions', { body: chatBody('same question') });
    // Assess
    expect(first.status).toBe(200);
    expect(first.headers.get('x-gateway-cache')).toBe('miss');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-gateway-cache')).toBe('hit');
    expect(Number(second.headers.get('x-gateway-cache-age'))).toBeGreaterThanOrEqual(0);
    expect(second.headers.get('x-gateway-attempts')).toBe('0');
    expect(second.json.choices[0].message.content).toBe('echo: same question');
    expect(second.json).toEqual(first.json);
    expect(world.chatCalls() - before).toBe(1);
  });

  it('matches requests that differ only in key order and defaults, not in what changes the answer', async () => {
    const { call } = world;
    const before = world.chatCalls();
    await call('POST', '/v1/chat/completions', { body: chatBody('defaults', { temperature: 1 }) });
    const reordered = await call('POST', '/v1/chat/completions', {
      rawBody: '{"messages":[{"content":"defaults","role":"user"}],"model":"gpt-4o","user":"someone"}',
      headers: { 'content-type': 'application/json' },
    });
    const warmer = await call('POST', '/v1/chat/completions', {
      body: chatBody('defaults', { temperature: 0.2 }),
    });
    expect(reordered.headers.get('x-gateway-cache')).toBe('hit');
    expect(warmer.headers.get('x-gateway-cache')).toBe('miss');
    expect(world.chatCalls() - before).toBe(2);
  });

  it('keeps namespaces apart: the same request under another key is a miss', async () => {
    const { call } = world;
    const other = await world.newKey();
    await call('POST', '/v1/chat/completions', { body: chatBody('tenant question') });
    const before = world.chatCalls();
    const res = await call('POST', '/v1/chat/completions', {
      body: chatBody('tenant question'),
      key: other.key,
    });
    const again = await call('POST', '/v1/chat/completions', {
      body: chatBody('tenant question'),
      key: other.key,
    });
    expect(res.headers.get('x-gateway-cache')).toBe('miss');
    expect(again.headers.get('x-gateway-cache')).toBe('hit');
    expect(world.chatCalls() - before).toBe(1);
  });

  it('caches embeddings too', async () => {
    const { call } = world;
    const body = { model: 'text-embedding-3-small', input: ['a document'] };
    const first = await call('POST', '/v1/embeddings', { body });
    const second = await call('POST', '/v1/embeddings', { body });
    expect(first.headers.get('x-gateway-cache')).toBe('miss');
    expect(second.headers.get('x-gateway-cache')).toBe('hit');
    expect(second.json.data).toEqual(first.json.data);
    expect(world.upstream.to('/v1/embeddings')).toHaveLength(1);
  });
});

describe('response cache: request directives and TTL', () => {
  it('does not store a no-store answer, and reads but never fills with it', async () => {
    const { call } = world;
    const before = world.chatCalls();
    const first = await call('POST', '/v1/chat/completions', {
      body: chatBody('not to keep'),
      headers: { 'x-gateway-cache': 'no-store' },
    });
    const second = await call('POST', '/v1/chat/completions', { body: chatBody('not to keep') });
    expect(first.headers.get('x-gateway-cache')).toBe('miss');
    expect(second.headers.get('x-gateway-cache')).toBe('miss');
    expect(world.chatCalls() - before).toBe(2);
  });

  it('refresh skips the read and replaces the entry', async () => {
    const { call, upstream } = world;
    await call('POST', '/v1/chat/completions', { body: chatBody('to refresh') });
    upstream.script('POST /v1/chat/completions', completion('a newer answer'));
    const refreshed = await call('POST', '/v1/chat/completions', {
      body: chatBody('to refresh'),
      headers: { 'x-gateway-cache': 'refresh' },
    });
    const after = await call('POST', '/v1/chat/completions', { body: chatBody('to refresh') });
    expect(refreshed.headers.get('x-gateway-cache')).toBe('bypass');
    expect(after.headers.get('x-gateway-cache')).toBe('hit');
    expect(after.json.choices[0].message.content).toBe('a newer answer');
  });

  it('no-cache neither reads nor stores', async () => {
    const { call } = world;
    await call('POST', '/v1/chat/completions', { body: chatBody('fresh please') });
    const before = world.chatCalls();
    const res = await call('POST', '/v1/chat/completions', {
      body: chatBody('fresh please'),
      headers: { 'x-gateway-cache': 'no-cache' },
    });
    expect(res.headers.get('x-gateway-cache')).toBe('bypass');
    expect(world.chatCalls() - before).toBe(1);
  });

  it('serves an entry until its TTL, then misses (moved clock)', async () => {
    const { call, clock } = world;
    await call('POST', '/v1/chat/completions', {
      body: chatBody('short lived'),
      headers: { 'x-gateway-cache-ttl': '60' },
    });
    clock.advance(59_000);
    const within = await call('POST', '/v1/chat/completions', { body: chatBody('short lived') });
    clock.advance(2_000);
    const after = await call('POST', '/v1/chat/completions', { body: chatBody('short lived') });
    expect(within.headers.get('x-gateway-cache')).toBe('hit');
    expect(Number(within.headers.get('x-gateway-cache-age'))).toBeGreaterThanOrEqual(59);
    expect(after.headers.get('x-gateway-cache')).toBe('miss');
  });

  it('refuses malformed cache headers with a 400 in the error envelope', async () => {
    const { call } = world;
    const directive = await call('POST', '/v1/chat/completions', {
      body: chatBody('bad header'),
      headers: { 'x-gateway-cache': 'forever' },
    });
    const ttl = await call('POST', '/v1/chat/completions', {
      body: chatBody('bad header'),
      headers: { 'x-gateway-cache-ttl': '-5' },
    });
    expect(directive.status).toBe(400);
    expect(directive.json.error.code).toBe('invalid_cache_directive');
    expect(ttl.status).toBe(400);
    expect(ttl.json.error.code).toBe('invalid_cache_ttl');
  });
});

describe('response cache: only complete, successful answers', () => {
  it('never stores an upstream error', async () => {
    const { call, upstream } = world;
    upstream.script('POST /v1/chat/completions', {
      kind: 'json',
      status: 400,
      body: { error: { message: 'bad', type: 'invalid_request_error' } },
    });
    const failed = await call('POST', '/v1/chat/completions', { body: chatBody('fails once') });
    const next = await call('POST', '/v1/chat/completions', { body: chatBody('fails once') });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-gateway-cache')).toBe('miss');
  });

  it('does not store an answer too large for one item (too_large), and still delivers it', async () => {
    const { call, upstream } = world;
    // ~600 KB of incompressible text: over DynamoDB's 400 KB item limit even gzip'd.
    const huge = randomBytes(450_000).toString('base64');
    upstream.script('POST /v1/chat/completions', completion(huge), completion('small now'));
    const big = await call('POST', '/v1/chat/completions', { body: chatBody('huge answer') });
    const next = await call('POST', '/v1/chat/completions', { body: chatBody('huge answer') });
    expect(big.json.choices[0].message.content).toBe(huge);
    expect(next.headers.get('x-gateway-cache')).toBe('miss');
    expect(next.json.choices[0].message.content).toBe('small now');
  });

  it('answers from the provider when the cache read fails (a miss, not an error)', async () => {
    const { call, gw } = world;
    await call('POST', '/v1/chat/completions', { body: chatBody('store trouble') });
    const failing = vi
      .spyOn(gw.runtime.deps.table, 'get')
      .mockRejectedValueOnce(new ServiceUnavailableError('throttled', { code: 'storage_throttled' }));
    try {
      const res = await call('POST', '/v1/chat/completions', { body: chatBody('store trouble') });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-cache')).toBe('miss');
      expect(res.json.choices[0].message.content).toBe('echo: store trouble');
    } finally {
      failing.mockRestore();
    }
  });

  it('never stores a stream cut before its end', async () => {
    const { call, upstream } = world;
    const body = chatBody('cut stream', { stream: true });
    // Two chunks, then the connection drops: no [DONE], no finish.
    const events = chatStreamEvents(body).slice(0, 2);
    upstream.script('POST /v1/chat/completions', { kind: 'sse', events, gapMs: 50, endEarly: true });
    const cut = await call('POST', '/v1/chat/completions', { body });
    expect(cut.text).toContain('echo');
    expect(cut.text).toContain('"error"');
    const next = await call('POST', '/v1/chat/completions', { body });
    expect(next.headers.get('x-gateway-cache')).toBe('miss');
    expect(next.text).toContain('data: [DONE]');
  });
});

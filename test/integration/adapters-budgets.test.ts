import { describe, expect, it } from 'vitest';
import { invokeChat } from '../../lib/adapters/invoke.js';
import {
  API_KEY,
  upstreamFailure as failure,
  openAIChat,
  testDeps,
  useFakeUpstreams,
  userRequest,
} from '../fakes/harness.js';
import { chatStreamEvents, createOpenAIFake } from '../fakes/openai.js';

const { fake, other, deps } = useFakeUpstreams({ fake: createOpenAIFake(), other: createOpenAIFake() });
const { provider, chat } = openAIChat(fake, deps);

const CHAT = 'POST /v1/chat/completions';

describe('upstream faults: time budgets', () => {
  it('cuts an upstream that never answers at the provider timeout with a 504', async () => {
    fake.script(CHAT, { kind: 'hang' });
    const started = Date.now();
    const error = await failure(chat({ timeoutSeconds: 1 }));
    expect(error).toMatchObject({ type: 'timeout', statusCode: 504, retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('cuts at the caller deadline when it comes before the provider timeout', async () => {
    fake.script(CHAT, { kind: 'hang' });
    const started = Date.now();
    const error = await failure(chat({ timeoutSeconds: 30, deadline: Date.now() + 600 }));
    expect(error).toMatchObject({ type: 'timeout', statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('cuts a stream that stalls mid-way within its idle budget', async () => {
    const events = chatStreamEvents({
      model: 'm',
      messages: [{ role: 'user', content: 'one two three four' }],
    });
    fake.script(CHAT, { kind: 'sse', events, stallAfter: 3 });
    const started = Date.now();
    const result = await chat({ stream: true, timeoutSeconds: 1 });
    if (!result.stream) throw new Error('expected a stream');
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of result.stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(seen.join('')).toBe('echo: one ');
    expect(error).toMatchObject({ type: 'timeout', statusCode: 504 });
    expect(error.message).toMatch(/stalled|within/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('fails with a non-retryable abort when the caller gives up', async () => {
    fake.script(CHAT, { kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await failure(chat({ signal: controller.signal }))).toMatchObject({
      type: 'aborted',
      retryable: false,
    });
  });

  it('does not connect at all when no time is left', async () => {
    expect(await failure(chat({ deadline: Date.now() - 1 }))).toMatchObject({ type: 'timeout' });
    expect(fake.connections).toBe(0);
  });
});

describe('upstream faults: connections', () => {
  it('maps a connection reset to a retryable connect error', async () => {
    fake.script(CHAT, { kind: 'reset' });
    expect(await failure(chat())).toMatchObject({ type: 'connect_error', retryable: true, statusCode: 502 });
  });

  it('never follows a redirect (the key is not replayed to the new host)', async () => {
    fake.script(CHAT, { kind: 'redirect', location: `${other.origin}/v1/chat/completions`, status: 307 });
    expect(await failure(chat())).toMatchObject({ type: 'redirect', retryable: false, upstreamStatus: 307 });
    expect(other.requests).toHaveLength(0);
  });

  it('reuses one pooled keep-alive connection for calls that follow each other', async () => {
    const fresh = testDeps();
    try {
      for (let i = 0; i < 5; i++) {
        await invokeChat({
          provider: provider(),
          model: 'm',
          request: userRequest('hi'),
          credential: API_KEY,
          deps: fresh,
        });
        // A call dispatched in the very tick the previous body ended may find the socket still busy.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(fake.requests).toHaveLength(5);
      expect(fake.connections).toBe(1);
    } finally {
      await fresh.http.close();
    }
  });
});

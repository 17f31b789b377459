import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SseParser } from '../../lib/ai/sse.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

/**
 * A hostile upstream streams one 1 MiB SSE line in 16-byte pieces, through the whole local runtime.
 * The gateway answers it (a 502 past its 1 MiB line bound, the content when under it), and while
 * that line is half received another request of the same process is answered normally.
 */
const MIB = 1 << 20;
const PIECE_BYTES = 16;

let gw: TestGateway;
let fake: FakeUpstream;

beforeAll(async () => {
  fake = createOpenAIFake();
  const origin = await fake.start();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', PROVIDER_MAX_RETRIES: '0' });
  await seedProvider(
    gw,
    { name: 'hostile-openai', provider_type: 'openai', service_types: ['llm'], base_url: `${origin}/v1` },
    { apiKey: TEST_KEY, models: [{ model_id: 'gpt-4o', model_type: 'llm', capabilities: ['streaming'] }] },
  );
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});
afterEach(() => fake.reset());

/** One OpenAI chunk event whose delta carries `content`. */
function chunkEvent(content: string | undefined, finish: string | null = null): string {
  const delta = content === undefined ? {} : { content };
  const chunk = {
    id: 'chatcmpl-hostile',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/**
 * Scripts the fake to trickle `body` and starts a streaming chat; resolves once half the body is
 * sent (the fake then holds the rest), with the pending answer and the function that lets it go on.
 */
async function startHostileStream(body: string) {
  let resume = () => {};
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  const halfway = new Promise<void>((reached) => {
    fake.script('POST /v1/chat/completions', {
      kind: 'trickle',
      body,
      pieceBytes: PIECE_BYTES,
      pause: { at: Math.floor(body.length / 2), reached, resume: resumed },
    });
  });
  const answer = gw.call('POST', '/v1/chat/completions', {
    body: { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'go' }] },
  });
  await halfway;
  return { answer, resume };
}

/** While the hostile line is half received, an ordinary chat is answered in full. */
async function expectAnotherRequestAnswered(): Promise<void> {
  const other = await gw.call('POST', '/v1/chat/completions', {
    body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'still there?' }] },
  });
  expect(other.status, other.text).toBe(200);
  expect(other.json.choices[0].message.content).toBe('echo: still there?');
}

describe('a hostile upstream: one 1 MiB SSE line in 16-byte pieces', () => {
  it('answers 502 upstream_bad_upstream_response past the line bound, and serves another request meanwhile', async () => {
    const body = chunkEvent('x'.repeat(MIB));
    const { answer, resume } = await startHostileStream(body);

    await expectAnotherRequestAnswered();
    resume();
    const res = await answer;

    expect(res.status, res.text).toBe(502);
    expect(res.json.error.code).toBe('upstream_bad_upstream_response');
    expect(res.text).not.toContain('xxxx');
    expect(fake.to('/v1/chat/completions')).toHaveLength(2);
  });

  it('passes a line just under the bound to the caller, and serves another request meanwhile', async () => {
    const content = 'y'.repeat(MIB - 512);
    const body = `${chunkEvent(content)}${chunkEvent(undefined, 'stop')}data: [DONE]\n\n`;
    const { answer, resume } = await startHostileStream(body);

    await expectAnotherRequestAnswered();
    resume();
    const res = await answer;

    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const parser = new SseParser({ maxLineChars: 2 * MIB, maxEventChars: 2 * MIB });
    const events = [...parser.push(res.text), ...parser.end().events];
    const received = events
      .filter((event) => event.data !== '[DONE]')
      .map((event) => JSON.parse(event.data).choices[0]?.delta.content ?? '')
      .join('');
    expect(received).toBe(content);
    expect(events.at(-1)?.data).toBe('[DONE]');
  });
});

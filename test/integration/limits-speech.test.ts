/**
 * `POST /v1/audio/speech` answers the provider's audio bytes, over the real local runtime and called
 * by the official OpenAI SDK: byte for byte what the upstream sent, and streamed — the caller has
 * the first bytes while the provider is still producing the rest (a STREAM integration through API
 * Gateway, which passes bytes as they are).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { GreedyUpstream, seedGreedyProvider, speechBytes } from './limits-fixtures.js';

let gw: TestGateway;
let openai: OpenAI;
let key: string;
const upstream = new GreedyUpstream();

beforeAll(async () => {
  const origin = await upstream.fake.start();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'off' });
  await seedGreedyProvider(gw, origin);
  const minted = await mintKey(gw, { role: 'invoke' });
  key = minted.key;
  openai = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  await upstream.fake.stop();
});

/** A promise and the function that settles it. */
function latch(): { open: () => void; done: Promise<void> } {
  let open!: () => void;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, done };
}

/**
 * Scripts the next speech answer to trickle `audio` and pause after `at` bytes until `resume`
 * settles; resolves once the upstream paused. `onClose` hears the gateway close the connection.
 */
function scriptPausedSpeech(audio: Buffer, at: number, resume: Promise<void>, onClose?: () => void) {
  const paused = latch();
  upstream.fake.script('POST /v1/audio/speech', {
    kind: 'trickle',
    body: audio,
    pieceBytes: 4096,
    contentType: 'audio/mpeg',
    pause: { at, reached: paused.open, resume },
    ...(onClose ? { onClose } : {}),
  });
  return paused.done;
}

describe('speech: the provider’s bytes', () => {
  it('gives the OpenAI SDK exactly the audio the upstream produced, with its media type', async () => {
    const input = 'Hello, bytes: ünïcödé';
    const speech = await openai.audio.speech.create({ model: 'greedy-tts', voice: 'alloy', input });
    const audio = Buffer.from(await speech.arrayBuffer());
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(audio.equals(speechBytes(input))).toBe(true); // every byte value 0–255, then the input
    expect(upstream.fake.last().path).toBe('/v1/audio/speech');
  });

  it('answers audio, never a JSON object of the bytes', async () => {
    const res = await gw.call('POST', '/v1/audio/speech', {
      body: { model: 'greedy-tts', voice: 'alloy', input: 'four' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.text.startsWith('{')).toBe(false);
  });

  it('streams the audio: the caller has the first bytes while the provider is still producing', async () => {
    const audio = Buffer.concat([speechBytes('streamed'), Buffer.alloc(64 * 1024, 9)]);
    const resumed = latch();
    const paused = scriptPausedSpeech(audio, 8192, resumed.done);
    const speech = await openai.audio.speech.create({
      model: 'greedy-tts',
      voice: 'alloy',
      input: 'streamed',
    });
    await paused;
    const reader = speech.body!.getReader();
    const received: Buffer[] = [];
    let length = 0;
    // The upstream holds the rest until the caller has seen its first 8 KiB: a buffered answer never comes.
    while (length < 8192) {
      const { value, done } = await reader.read();
      if (done) break;
      received.push(Buffer.from(value));
      length += value.length;
    }
    expect(length).toBe(8192);
    resumed.open();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received.push(Buffer.from(value));
    }
    expect(Buffer.concat(received).equals(audio)).toBe(true);
  });

  it('closes the upstream connection when the caller hangs up mid-audio', async () => {
    const audio = Buffer.alloc(256 * 1024, 5);
    const closed = latch();
    // Resumes only once the gateway closed the connection: a gateway reading on would hang here.
    const paused = scriptPausedSpeech(audio, 4096, closed.done, closed.open);
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'greedy-tts', voice: 'alloy', input: 'leaving' }),
      signal: controller.signal,
    });
    await paused;
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await closed.done;
  });
});

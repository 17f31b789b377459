/**
 * `POST /v1/audio/speech` answers the provider's audio bytes, over the real local runtime and called
 * by the official OpenAI SDK: the handler's answer travels base64 with `isBase64Encoded` (as API
 * Gateway's binary media types require, `audio/*`), and the local runtime decodes it exactly as API
 * Gateway does, so what the SDK receives is byte for byte what the upstream sent.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { GreedyUpstream, seedGreedyProvider, speechBytes } from './limits-fixtures.js';

let gw: TestGateway;
let openai: OpenAI;
const upstream = new GreedyUpstream();

beforeAll(async () => {
  const origin = await upstream.fake.start();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'off' });
  await seedGreedyProvider(gw, origin);
  const key = await mintKey(gw, { role: 'invoke' });
  openai = new OpenAI({ apiKey: key.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  await upstream.fake.stop();
});

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
});

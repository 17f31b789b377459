import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import {
  invokeChat,
  invokeEmbeddings,
  invokeSpeech,
  invokeTranscription,
} from '../../lib/adapters/invoke.js';
import { base64ToFloats } from '../../lib/ai/embedding-encoding.js';
import {
  API_KEY,
  assemble,
  collect,
  expectStreamedWeatherCall,
  PNG_DATA_URL,
  providerRecord,
  TEST_KEY,
  upstreamFailure,
  useFakeUpstreams,
  userRequest,
  WEATHER_TOOL,
} from '../fakes/harness.js';
import { createOpenAIFake, fakeVector, OPENAI_USAGE } from '../fakes/openai.js';
import type { Behaviour } from '../fakes/server.js';

const { fake, deps } = useFakeUpstreams({ fake: createOpenAIFake() });
const provider = () => providerRecord('openai', `${fake.origin}/v1`);

describe('openai adapter: chat', () => {
  it('sends the bearer key and the upstream model, and maps the answer and usage', async () => {
    // Act
    const result = await invokeChat({
      provider: provider(),
      model: 'gpt-4o-mini',
      request: userRequest('hello there'),
      credential: API_KEY,
      deps,
    });
    // Assess
    if (result.stream) throw new Error('expected a complete answer');
    expect(fake.last().headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(fake.last().path).toBe('/v1/chat/completions');
    expect(fake.last().json).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(result.response.choices[0]?.message.content).toBe('echo: hello there');
    expect(result.response.choices[0]?.finish_reason).toBe('stop');
    expect(result.usage).toEqual({ input_tokens: 12, output_tokens: 7, cached_input_tokens: 2 });
    expect(result.response.usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 7,
      total_tokens: 19,
    });
    expect(result.meta).toMatchObject({ provider_type: 'openai', model: 'gpt-4o-mini', mock: false });
  });

  it('delivers an image part in OpenAI format (image_url with the data URL)', async () => {
    const request = userRequest('', {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: PNG_DATA_URL, detail: 'low' } },
          ],
        },
      ],
    });
    await invokeChat({ provider: provider(), model: 'gpt-4o', request, credential: API_KEY, deps });
    const sent = fake.last().json as { messages: Array<{ content: unknown }> };
    expect(sent.messages[0]?.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: PNG_DATA_URL, detail: 'low' } },
    ]);
  });

  it('forwards tools, tool_choice, response_format, sampling and stop, and maps tool calls', async () => {
    const request = userRequest('weather?', {
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      temperature: 0.2,
      max_completion_tokens: 50,
      stop: ['END'],
      seed: 7,
    });
    const result = await invokeChat({
      provider: provider(),
      model: 'gpt-4o',
      request,
      credential: API_KEY,
      deps,
    });
    if (result.stream) throw new Error('expected a complete answer');
    expect(fake.last().json).toMatchObject({
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      temperature: 0.2,
      max_completion_tokens: 50,
      stop: ['END'],
      seed: 7,
    });
    expect(result.response.choices[0]?.message.tool_calls).toEqual([
      {
        id: 'call_fake_1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);
    expect(result.response.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('streams text chunks and reports usage; the usage chunk is added only when asked for', async () => {
    // Act: a caller that asks for usage, and one that does not
    const withUsage = await invokeChat({
      provider: provider(),
      model: 'gpt-4o',
      request: userRequest('stream me', { stream: true, stream_options: { include_usage: true } }),
      credential: API_KEY,
      deps,
    });
    const without = await invokeChat({
      provider: provider(),
      model: 'gpt-4o',
      request: userRequest('stream me', { stream: true }),
      credential: API_KEY,
      deps,
    });
    if (!withUsage.stream || !without.stream) throw new Error('expected streams');
    const a = await collect(withUsage.stream);
    const b = await collect(without.stream);
    // Assess: the upstream always gets include_usage (so usage is metered either way)
    expect((fake.last().json as { stream_options: unknown }).stream_options).toEqual({
      include_usage: true,
    });
    expect(assemble(a)).toMatchObject({ text: 'echo: stream me', finish: 'stop', roles: ['assistant'] });
    expect(a.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: OPENAI_USAGE.prompt_tokens, completion_tokens: 7 },
    });
    expect(b.some((c) => c.choices.length === 0)).toBe(false);
    expect(without.stream.result).toEqual({
      usage: { input_tokens: 12, output_tokens: 7, cached_input_tokens: 2 },
      finish_reason: 'stop',
      chunks: b.length,
    });
  });

  it('streams tool-call deltas that assemble into one call', async () => {
    const result = await invokeChat({
      provider: provider(),
      model: 'gpt-4o',
      request: userRequest('weather?', { stream: true, tools: [WEATHER_TOOL] }),
      credential: API_KEY,
      deps,
    });
    await expectStreamedWeatherCall(result, 'call_fake_1');
  });

  it('builds the upstream body field by field: unknown fields (even ones past the schema) never travel', async () => {
    // Prepare: a request object carrying fields the route schema would have refused or stripped
    const smuggled = {
      ...userRequest('hi'),
      base_url: 'https://evil.example',
      api_key: 'stolen',
      extra_body: { x: 1 },
    };
    // Act
    await invokeChat({ provider: provider(), model: 'gpt-4o', request: smuggled, credential: API_KEY, deps });
    // Assess: one call to the stored host, with only known fields
    expect(fake.requests).toHaveLength(1);
    expect(Object.keys(fake.last().json as object).sort()).toEqual(['messages', 'model']);
  });
});

describe('openai adapter: embeddings and audio', () => {
  it('embeds a batch as floats and passes base64 through', async () => {
    const floats = await invokeEmbeddings({
      provider: provider(),
      model: 'text-embedding-3-small',
      request: { model: 'e', input: ['a', 'b'], dimensions: 4 },
      credential: API_KEY,
      deps,
    });
    expect(fake.last().json).toMatchObject({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      dimensions: 4,
      encoding_format: 'float',
    });
    expect(floats.response.data.map((d) => d.embedding)).toEqual([fakeVector(0), fakeVector(1)]);
    expect(floats.usage).toEqual({ input_tokens: 6, output_tokens: 0, cached_input_tokens: 0 });

    const b64 = await invokeEmbeddings({
      provider: provider(),
      model: 'text-embedding-3-small',
      request: { model: 'e', input: 'a', encoding_format: 'base64' },
      credential: API_KEY,
      deps,
    });
    expect((fake.last().json as { encoding_format: string }).encoding_format).toBe('base64');
    expect(base64ToFloats(b64.response.data[0]?.embedding as string)).toEqual(fakeVector(0));
  });

  it('synthesizes speech as audio bytes and counts characters', async () => {
    const result = await invokeSpeech({
      provider: provider(),
      model: 'tts-1',
      request: { model: 'x', input: 'héllo', voice: 'alloy' },
      credential: API_KEY,
      deps,
    });
    expect(fake.last().json).toEqual({ model: 'tts-1', input: 'héllo', voice: 'alloy' });
    expect(result.response.content_type).toBe('audio/mpeg');
    expect((await buffer(result.response.audio)).toString('utf8')).toBe('ID3fake-mp3:héllo');
    expect(result.usage?.characters).toBe(5);
  });

  const speak = () =>
    invokeSpeech({
      provider: provider(),
      model: 'tts-1',
      request: { model: 'x', input: 'hi', voice: 'alloy' },
      credential: API_KEY,
      deps,
    });

  it.each([
    [
      'JSON instead of audio',
      { kind: 'json', body: { ok: true } } as Behaviour,
      /did not answer a speech request with audio/,
    ],
    ['an empty body', { kind: 'raw', body: '', contentType: 'audio/mpeg' } as Behaviour, /did not answer/],
    [
      'audio larger than the cap (content-length)',
      { kind: 'oversized', bytes: 26 * 1024 * 1024, contentType: 'audio/mpeg' } as Behaviour,
      /larger than/,
    ],
  ])(
    'refuses %s before the first byte is passed on (bad_upstream_response)',
    async (_name, behaviour, message) => {
      fake.script('POST /v1/audio/speech', behaviour);
      const error = await upstreamFailure(speak());
      expect(error).toMatchObject({ type: 'bad_upstream_response', statusCode: 502 });
      expect(error.message).toMatch(message);
    },
  );

  it('cuts off streamed audio that grows past the cap, mid-stream', async () => {
    fake.script('POST /v1/audio/speech', {
      kind: 'oversized',
      bytes: 26 * 1024 * 1024,
      contentType: 'audio/mpeg',
      chunked: true,
    });
    const result = await speak();
    await expect(buffer(result.response.audio)).rejects.toMatchObject({ type: 'bad_upstream_response' });
  });

  it('transcribes a multipart upload and reports audio seconds', async () => {
    const file = {
      data: new Uint8Array(Buffer.from('RIFF....WAVEfake')),
      filename: 'clip.wav',
      content_type: 'audio/wav',
    };
    const json = await invokeTranscription({
      provider: provider(),
      model: 'whisper-1',
      request: { model: 'x', file, language: 'en' },
      credential: API_KEY,
      deps,
    });
    expect(String(fake.last().headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(json.response.text).toBe('heard clip.wav (16 bytes) model=whisper-1');
    expect(json.usage?.audio_seconds).toBe(2.5);

    const text = await invokeTranscription({
      provider: provider(),
      model: 'whisper-1',
      request: { model: 'x', file, response_format: 'text' },
      credential: API_KEY,
      deps,
    });
    expect(text.response.body_text).toBe('heard clip.wav (16 bytes) model=whisper-1');
    expect(text.usage).toBeNull();
  });
});

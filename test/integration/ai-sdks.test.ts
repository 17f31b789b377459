import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicFake } from '../fakes/anthropic.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

/**
 * The official SDKs as callers, unchanged but for their base URL and key: each is served by a
 * provider of the other's type, through the whole gateway (auth, routing, credentials, usage).
 */
let gw: TestGateway;
let openaiFake: FakeUpstream;
let anthropicFake: FakeUpstream;
let openai: OpenAI;
let anthropic: Anthropic;
const ids: Record<string, string> = {};

const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

async function addProvider(name: string, body: Record<string, unknown>, models: string[]) {
  const created = await gw.call('POST', '/api/providers', {
    body: { name, service_types: ['llm', 'embedding', 'speech'], ...body },
  });
  expect(created.status, created.text).toBe(201);
  const id = created.json.id as string;
  const credential = await gw.call('POST', `/api/providers/${id}/credentials`, {
    body: { credential_type: 'api_key', credential_value: TEST_KEY },
  });
  expect(credential.status, credential.text).toBe(201);
  for (const model of models) {
    const type = model.includes('embed')
      ? 'embedding'
      : model.startsWith('tts')
        ? 'tts'
        : model.startsWith('whisper')
          ? 'stt'
          : 'llm';
    const res = await gw.call('POST', `/api/providers/${id}/models`, {
      body: { model_id: model, model_type: type, capabilities: ['streaming', 'tools', 'vision'] },
    });
    expect(res.status, res.text).toBe(201);
  }
  ids[name] = id;
}

beforeAll(async () => {
  openaiFake = createOpenAIFake();
  anthropicFake = createAnthropicFake();
  const [openaiOrigin, anthropicOrigin] = await Promise.all([openaiFake.start(), anthropicFake.start()]);
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', PROVIDER_MAX_RETRIES: '1' });
  await addProvider('fake-openai', { provider_type: 'openai', base_url: `${openaiOrigin}/v1` }, [
    'gpt-4o',
    'text-embedding-3-small',
    'tts-1',
    'whisper-1',
  ]);
  await addProvider('fake-anthropic', { provider_type: 'anthropic', base_url: anthropicOrigin }, [
    'claude-sonnet',
  ]);
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.adminKey, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([openaiFake.stop(), anthropicFake.stop()]);
});

describe('OpenAI SDK → an Anthropic provider', () => {
  it('gets a chat completion translated from Anthropic, with the gateway headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'Bonjour' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('Bonjour');
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-gateway-provider')).toBe('fake-anthropic');
    expect(response.headers.get('x-gateway-model')).toBe('claude-sonnet');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(Number(response.headers.get('x-gateway-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const upstream = anthropicFake.last();
    expect(upstream.path).toBe('/v1/messages');
    expect(upstream.headers['x-api-key']).toBe(TEST_KEY);
    expect(upstream.headers.authorization).toBeUndefined();
  });

  it('streams chunks and the usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream please' }],
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('stream please');
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it('receives tool calls', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
  });

  it('sends an image part to Anthropic as an image block', async () => {
    await openai.chat.completions.create({
      model: 'claude-sonnet',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: TINY_PNG } },
          ],
        },
      ],
    });
    const sent = anthropicFake.last().json as {
      messages: Array<{ content: Array<Record<string, unknown>> }>;
    };
    const image = sent.messages[0]?.content.find((b) => b.type === 'image');
    expect(image).toMatchObject({ type: 'image', source: { type: 'base64', media_type: 'image/png' } });
  });

  it('lists the models its key can use and gets embeddings', async () => {
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual([
      'claude-sonnet',
      'gpt-4o',
      'text-embedding-3-small',
      'tts-1',
      'whisper-1',
    ]);
    const embeddings = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding.length).toBeGreaterThan(0);
  });
});

describe('OpenAI SDK: audio', () => {
  it('gets speech as binary audio', async () => {
    const speech = await openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello' });
    const audio = Buffer.from(await speech.arrayBuffer());
    expect(audio.length).toBeGreaterThan(0);
    expect(openaiFake.last().path).toBe('/v1/audio/speech');
  });

  it('uploads audio for transcription as multipart', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(64, 1)]);
    const result = await openai.audio.transcriptions.create({
      file: await toFile(wav, 'clip.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
    });
    expect(typeof result.text).toBe('string');
    const upstream = openaiFake.last();
    expect(upstream.path).toBe('/v1/audio/transcriptions');
    expect(String(upstream.headers['content-type'])).toMatch(/^multipart\/form-data/);
    expect(upstream.body.includes(wav)).toBe(true);
  });
});

describe('Anthropic SDK → an OpenAI provider', () => {
  it('gets a Message translated from OpenAI', async () => {
    const message = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hello from Claude SDK' }],
    });
    expect(message.type).toBe('message');
    const block = message.content[0];
    expect(block?.type === 'text' && block.text).toContain('Hello from Claude SDK');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    const upstream = openaiFake.last();
    expect(upstream.path).toBe('/v1/chat/completions');
    expect(upstream.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('streams Message events', async () => {
    const stream = anthropic.messages.stream({
      model: 'gpt-4o',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'stream from OpenAI' }],
    });
    const final = await stream.finalMessage();
    const block = final.content[0];
    expect(block?.type === 'text' && block.text).toContain('stream from OpenAI');
    expect(final.stop_reason).toBe('end_turn');
  });

  it('receives tool use blocks', async () => {
    const message = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      ],
    });
    expect(message.stop_reason).toBe('tool_use');
    const tool = message.content.find((b) => b.type === 'tool_use');
    expect(tool?.type === 'tool_use' && tool.input).toEqual({ city: 'Paris' });
  });

  it('sends an image block to OpenAI as an image_url part', async () => {
    await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: TINY_PNG.split(',')[1]! },
            },
          ],
        },
      ],
    });
    const sent = openaiFake.last().json as { messages: Array<{ content: Array<Record<string, unknown>> }> };
    const part = sent.messages.at(-1)?.content.find((p) => p.type === 'image_url');
    expect(part).toMatchObject({
      type: 'image_url',
      image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) },
    });
  });

  it('gets errors in the Anthropic shape its SDK reads', async () => {
    const error = await anthropic.messages
      .create({ model: 'no-such-model', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe('AI requests: failures the caller sees', () => {
  it('cuts a stalled upstream within its budget with a 504 envelope', async () => {
    const slow = await gw.call('POST', '/api/providers', {
      body: {
        name: 'stalling',
        provider_type: 'openai',
        service_types: ['llm'],
        base_url: `${openaiFake.origin}/v1`,
        timeout_seconds: 1,
      },
    });
    await gw.call('POST', `/api/providers/${slow.json.id}/credentials`, {
      body: { credential_type: 'api_key', credential_value: TEST_KEY },
    });
    await gw.call('POST', `/api/providers/${slow.json.id}/models`, {
      body: { model_id: 'stall-model', model_type: 'llm' },
    });
    openaiFake.script('POST /v1/chat/completions', { kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'stall-model', messages: [{ role: 'user', content: 'hello?' }] },
    });
    expect(res.status).toBe(504);
    expect(res.json.error.code).toMatch(/timeout/);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('records usage of served requests per provider', async () => {
    const usage = await gw.call('GET', `/api/providers/${ids['fake-anthropic']}/usage?granularity=day`);
    expect(usage.status, usage.text).toBe(200);
    expect(JSON.stringify(usage.json)).toMatch(/"requests":\d+/);
  });
});

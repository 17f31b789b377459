/**
 * The official SDKs against the provider layer's shapes, across provider types: the OpenAI SDK is
 * answered by the Anthropic fake (through the anthropic adapter), the Anthropic SDK by the OpenAI fake
 * (through the compat layer), tool calls included. The HTTP front is the test-only mini gateway.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicFake } from '../fakes/anthropic.js';
import { createCohereFake } from '../fakes/cohere.js';
import { API_KEY, providerRecord, useFakeUpstreams, WEATHER_TOOL } from '../fakes/harness.js';
import { MiniGateway } from '../fakes/mini-gateway.js';
import { createOpenAIFake } from '../fakes/openai.js';

const { anthropicFake, openaiFake, cohereFake, deps } = useFakeUpstreams({
  anthropicFake: createAnthropicFake(),
  openaiFake: createOpenAIFake(),
  cohereFake: createCohereFake(),
});
let gateway: MiniGateway;
let url: string;

const viaAnthropic = () => ({
  provider: providerRecord('anthropic', anthropicFake.origin),
  model: 'claude-fake',
  credential: API_KEY,
});
const viaOpenAI = () => ({
  provider: providerRecord('openai', `${openaiFake.origin}/v1`),
  model: 'gpt-fake',
  credential: API_KEY,
});
const gatewayKey = 'gateway-test-key-not-real';

beforeAll(async () => {
  gateway = new MiniGateway(deps, viaAnthropic());
  url = await gateway.start();
});
// Runs before the fakes' own teardown: the front stops before the provider view closes.
afterAll(async () => {
  await gateway.stop();
});

describe('OpenAI SDK 6 → anthropic provider', () => {
  const client = () => new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 });

  it('gets a completion and a streamed completion', async () => {
    gateway.target = viaAnthropic();
    const completion = await client().chat.completions.create({
      model: 'any',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: hello');
    expect(completion.usage?.prompt_tokens).toBe(15);
    const stream = await client().chat.completions.create({
      model: 'any',
      messages: [{ role: 'user', content: 'streamed hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('echo: streamed hi');
    expect(usage?.completion_tokens).toBe(6);
  });

  it('gets tool calls, streamed and assembled by the SDK helper', async () => {
    gateway.target = viaAnthropic();
    const runner = client().chat.completions.stream({
      model: 'any',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [WEATHER_TOOL],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'toolu_fake_1',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('decodes base64 embeddings (the SDK default) served by Cohere', async () => {
    gateway.target = {
      provider: providerRecord('cohere', cohereFake.origin),
      model: 'embed-fake',
      credential: API_KEY,
    };
    const result = await client().embeddings.create({ model: 'any', input: ['a', 'b'] });
    expect(result.data.map((d) => d.embedding)).toEqual([
      [0.5, 0.125, 0.125],
      [1.5, 0.125, 0.125],
    ]);
  });

  it('sees an upstream 429 as a RateLimitError with Retry-After', async () => {
    gateway.target = viaAnthropic();
    anthropicFake.script('POST /v1/messages', {
      kind: 'json',
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow' } },
      headers: { 'retry-after': '3' },
    });
    const error = await client()
      .chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('3');
  });
});

describe('Anthropic SDK → openai provider (via /v1/messages)', () => {
  const client = () => new Anthropic({ apiKey: gatewayKey, baseURL: url, maxRetries: 0 });

  it('gets a message and a streamed message', async () => {
    gateway.target = viaOpenAI();
    const message = await client().messages.create({
      model: 'any',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'echo: hello' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 2 });
    const final = await client()
      .messages.stream({ model: 'any', max_tokens: 50, messages: [{ role: 'user', content: 'streamed hi' }] })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'echo: streamed hi' }]);
    expect(final.usage.output_tokens).toBe(7);
  });

  it('gets tool use, streamed, with the input assembled by the SDK', async () => {
    gateway.target = viaOpenAI();
    const tools = [
      {
        name: 'get_weather',
        description: 'w',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
      },
    ];
    const final = await client()
      .messages.stream({
        model: 'any',
        max_tokens: 50,
        tools,
        messages: [{ role: 'user', content: 'weather?' }],
      })
      .finalMessage();
    expect(final.content).toEqual([
      { type: 'tool_use', id: 'call_fake_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    const sent = openaiFake.last().json as { tools: unknown[] };
    expect(sent.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'w', parameters: tools[0]?.input_schema },
      },
    ]);
  });
});

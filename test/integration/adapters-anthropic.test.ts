import { describe, expect, it } from 'vitest';
import { invokeChat } from '../../lib/adapters/invoke.js';
import { UpstreamError } from '../../lib/upstream/errors.js';
import { ANTHROPIC_USAGE, anthropicStreamEvents, createAnthropicFake } from '../fakes/anthropic.js';
import {
  API_KEY,
  assemble,
  collect,
  expectStreamedWeatherCall,
  PNG_DATA_URL,
  providerRecord,
  TEST_KEY,
  useFakeUpstreams,
  userRequest,
  WEATHER_TOOL,
} from '../fakes/harness.js';

const { fake, deps } = useFakeUpstreams({ fake: createAnthropicFake() });
const provider = (metadata: Record<string, unknown> = {}) =>
  providerRecord('anthropic', fake.origin, { metadata });
const call = (request: Parameters<typeof invokeChat>[0]['request'], metadata?: Record<string, unknown>) =>
  invokeChat({
    provider: provider(metadata),
    model: 'claude-sonnet-fake',
    request,
    credential: API_KEY,
    deps,
  });

describe('anthropic adapter: request translation on the wire', () => {
  it('sends x-api-key and anthropic-version, system apart, max_tokens defaulted', async () => {
    const request = userRequest('', {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ],
      stop: 'END',
      temperature: 0.5,
    });
    await call(request);
    const sent = fake.last();
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(TEST_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual({
      model: 'claude-sonnet-fake',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
      temperature: 0.5,
      stop_sequences: ['END'],
    });
  });

  it('delivers image parts as Anthropic image blocks (base64 source for data URLs, url source otherwise)', async () => {
    const request = userRequest('', {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            { type: 'image_url', image_url: { url: 'https://images.example.com/cat.jpg' } },
          ],
        },
      ],
    });
    // The fake stands in for Anthropic's public API: its image URLs are judged as a public upstream's.
    await call(request, { image_urls: 'public' });
    const content = (fake.last().json as { messages: Array<{ content: unknown[] }> }).messages[0]?.content;
    expect(content).toEqual([
      { type: 'text', text: 'compare' },
      {
        type: 'image',
        source: { type: 'base64', media_type: 'image/png', data: PNG_DATA_URL.split(',')[1] },
      },
      { type: 'image', source: { type: 'url', url: 'https://images.example.com/cat.jpg' } },
    ]);
  });

  it('translates a tool round trip: tools, tool_use history and tool results', async () => {
    const request = userRequest('', {
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      ],
    });
    const result = await call(request);
    const sent = fake.last().json as Record<string, unknown>;
    expect(sent.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: WEATHER_TOOL.function.parameters,
      },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
    expect(sent.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris?' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
    ]);
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]?.message.content).toBe('echo: tool said sunny');
  });

  it('asks for JSON with a system instruction (Anthropic has no JSON mode)', async () => {
    await call(userRequest('give json', { response_format: { type: 'json_object' } }));
    expect((fake.last().json as { system: string }).system).toMatch(/valid JSON object/);
  });

  it('refuses n > 1 before calling', async () => {
    await expect(call(userRequest('x', { n: 2 }))).rejects.toMatchObject({
      type: 'unsupported',
      statusCode: 400,
    });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('anthropic adapter: answers', () => {
  it('maps text, stop reason and cache-aware usage', async () => {
    const result = await call(userRequest('hi'));
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response).toMatchObject({
      id: 'msg_fake',
      object: 'chat.completion',
      model: 'claude-sonnet-fake',
    });
    expect(result.response.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'echo: hi' },
      finish_reason: 'stop',
    });
    const { input_tokens, cache_read_input_tokens, cache_creation_input_tokens, output_tokens } =
      ANTHROPIC_USAGE;
    expect(result.usage).toEqual({
      input_tokens: input_tokens + cache_read_input_tokens + cache_creation_input_tokens,
      output_tokens,
      cached_input_tokens: cache_read_input_tokens,
      cache_write_tokens: cache_creation_input_tokens,
    });
  });

  it('maps a tool_use answer to tool_calls', async () => {
    const result = await call(userRequest('weather?', { tools: [WEATHER_TOOL] }));
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [
          {
            id: 'toolu_fake_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
    });
  });

  it('streams text: role first, deltas, finish, then usage from message_start + message_delta', async () => {
    const result = await call(
      userRequest('stream me', { stream: true, stream_options: { include_usage: true } }),
    );
    if (!result.stream) throw new Error('expected a stream');
    const chunks = await collect(result.stream);
    expect(assemble(chunks)).toMatchObject({ text: 'echo: stream me', finish: 'stop', roles: ['assistant'] });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === 'msg_fake')).toBe(true);
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: 15,
      completion_tokens: 6,
      prompt_tokens_details: { cached_tokens: 3 },
    });
  });

  it('streams tool calls: tool_use block start and input_json_delta fragments', async () => {
    const result = await call(userRequest('weather?', { stream: true, tools: [WEATHER_TOOL] }));
    await expectStreamedWeatherCall(result, 'toolu_fake_1');
  });

  it('turns an overloaded_error event before the first chunk into a retryable error', async () => {
    fake.script('POST /v1/messages', {
      kind: 'sse',
      events: [
        {
          event: 'error',
          data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
        },
      ],
    });
    const error = await call(userRequest('x', { stream: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ type: 'overloaded', retryable: true, statusCode: 503 });
  });

  it('reports a stream that ends before message_stop as a bad upstream response', async () => {
    const events = anthropicStreamEvents({ model: 'm', messages: [{ role: 'user', content: 'cut' }] });
    fake.script('POST /v1/messages', { kind: 'sse', events: events.slice(0, 4) });
    const result = await call(userRequest('cut', { stream: true }));
    if (!result.stream) throw new Error('expected a stream');
    await expect(collect(result.stream)).rejects.toMatchObject({
      type: 'bad_upstream_response',
      statusCode: 502,
    });
  });

  it('maps 401 to a non-retryable authentication error without echoing the key', async () => {
    fake.script('POST /v1/messages', {
      kind: 'json',
      status: 401,
      body: {
        type: 'error',
        error: { type: 'authentication_error', message: `invalid x-api-key ${TEST_KEY}` },
      },
    });
    const error = (await call(userRequest('x')).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toMatchObject({
      type: 'authentication',
      retryable: false,
      upstreamStatus: 401,
      statusCode: 502,
    });
    expect(error.message).not.toContain(TEST_KEY);
  });
});

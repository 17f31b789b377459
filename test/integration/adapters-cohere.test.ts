import { describe, expect, it } from 'vitest';
import { invokeChat, invokeEmbeddings, invokeRerank } from '../../lib/adapters/invoke.js';
import { base64ToFloats } from '../../lib/ai/embedding-encoding.js';
import { createCohereFake } from '../fakes/cohere.js';
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

const { fake, deps } = useFakeUpstreams({ fake: createCohereFake() });
const provider = () => providerRecord('cohere', fake.origin);
const chat = (request: Parameters<typeof invokeChat>[0]['request']) =>
  invokeChat({ provider: provider(), model: 'command-a-fake', request, credential: API_KEY, deps });

describe('cohere adapter: chat', () => {
  it('sends a v2 body (system message, p, stop_sequences, image_url blocks) with bearer auth', async () => {
    const request = userRequest('', {
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: PNG_DATA_URL } },
          ],
        },
      ],
      top_p: 0.9,
      stop: 'END',
      max_tokens: 20,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    });
    const result = await chat(request);
    expect(fake.last().path).toBe('/v2/chat');
    expect(fake.last().headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(fake.last().json).toEqual({
      model: 'command-a-fake',
      stream: false,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: PNG_DATA_URL } },
          ],
        },
      ],
      response_format: { type: 'json_object', json_schema: { type: 'object' } },
      max_tokens: 20,
      stop_sequences: ['END'],
      p: 0.9,
    });
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]).toMatchObject({
      message: { content: 'echo: look' },
      finish_reason: 'stop',
    });
    expect(result.usage).toEqual({ input_tokens: 9, output_tokens: 4, cached_input_tokens: 0 });
  });

  it('maps tool calls both ways (tool_calls + tool messages, TOOL_CALL finish)', async () => {
    const first = await chat(userRequest('weather?', { tools: [WEATHER_TOOL], tool_choice: 'required' }));
    if (first.stream) throw new Error('expected a complete answer');
    expect((fake.last().json as Record<string, unknown>).tool_choice).toBe('REQUIRED');
    expect(first.response.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [
          { id: 'cohere_call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    });
    const calls = first.response.choices[0]?.message.tool_calls ?? [];
    const second = await chat(
      userRequest('', {
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: 'Looking.', tool_calls: calls },
          { role: 'tool', tool_call_id: 'cohere_call_1', content: 'sunny' },
        ],
      }),
    );
    expect((fake.last().json as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'assistant', tool_calls: calls, tool_plan: 'Looking.' },
      { role: 'tool', tool_call_id: 'cohere_call_1', content: 'sunny' },
    ]);
    if (second.stream) throw new Error('expected a complete answer');
    expect(second.response.choices[0]?.message.content).toBe('echo: tool said sunny');
  });

  it('streams text and tool calls with usage from message-end', async () => {
    const text = await chat(
      userRequest('stream me', { stream: true, stream_options: { include_usage: true } }),
    );
    if (!text.stream) throw new Error('expected a stream');
    const chunks = await collect(text.stream);
    expect(assemble(chunks)).toMatchObject({ text: 'echo: stream me', finish: 'stop' });
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4 });

    const tools = await chat(userRequest('weather?', { stream: true, tools: [WEATHER_TOOL] }));
    await expectStreamedWeatherCall(tools, 'cohere_call_1');
  });

  it('treats a trial-key monthly limit (429) as quota exhaustion, not retryable', async () => {
    fake.script('POST /v2/chat', {
      kind: 'json',
      status: 429,
      body: { message: 'You are using a Trial key, which is limited to 1000 API calls / month.' },
    });
    await expect(chat(userRequest('x'))).rejects.toMatchObject({
      type: 'quota_exceeded',
      retryable: false,
      statusCode: 429,
    });
  });
});

describe('cohere adapter: embed and rerank', () => {
  it('embeds with input_type and output_dimension, and encodes base64 locally', async () => {
    const result = await invokeEmbeddings({
      provider: provider(),
      model: 'embed-v4.0',
      request: {
        model: 'e',
        input: ['one', 'two'],
        dimensions: 3,
        encoding_format: 'base64',
        input_type: 'search_query',
      },
      credential: API_KEY,
      deps,
    });
    expect(fake.last().json).toEqual({
      model: 'embed-v4.0',
      texts: ['one', 'two'],
      input_type: 'search_query',
      embedding_types: ['float'],
      output_dimension: 3,
    });
    expect(base64ToFloats(result.response.data[1]?.embedding as string)).toEqual([1.5, 0.125, 0.125]);
    expect(result.usage?.input_tokens).toBe(10);
  });

  it('refuses more than 96 texts before calling', async () => {
    const input = Array.from({ length: 97 }, (_, i) => `t${i}`);
    await expect(
      invokeEmbeddings({
        provider: provider(),
        model: 'embed',
        request: { model: 'e', input },
        credential: API_KEY,
        deps,
      }),
    ).rejects.toMatchObject({ type: 'unsupported' });
    expect(fake.requests).toHaveLength(0);
  });

  it('reranks with top_n and returns documents when asked, with search units', async () => {
    const result = await invokeRerank({
      provider: provider(),
      model: 'rerank-v3.5',
      request: {
        model: 'r',
        query: 'capital france',
        documents: ['Berlin is big', { text: 'Paris is the capital of France' }, 'cats'],
        top_n: 2,
        return_documents: true,
      },
      credential: API_KEY,
      deps,
    });
    expect(fake.last().json).toEqual({
      model: 'rerank-v3.5',
      query: 'capital france',
      documents: ['Berlin is big', 'Paris is the capital of France', 'cats'],
      top_n: 2,
    });
    expect(result.response.results[0]).toEqual({
      index: 1,
      relevance_score: 1,
      document: { text: 'Paris is the capital of France' },
    });
    expect(result.response.results).toHaveLength(2);
    expect(result.usage?.search_units).toBe(1);
  });
});

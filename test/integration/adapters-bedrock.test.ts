import { describe, expect, it } from 'vitest';
import { invokeChat, invokeEmbeddings } from '../../lib/adapters/invoke.js';
import {
  BEDROCK_USAGE,
  bedrockError,
  converseStreamFrames,
  createBedrockFake,
  EVENT_STREAM,
  eventFrame,
  exceptionFrame,
} from '../fakes/bedrock.js';
import {
  API_KEY,
  assemble,
  collect,
  expectStreamedWeatherCall,
  IAM,
  PNG_DATA_URL,
  providerRecord,
  TEST_KEY,
  useFakeUpstreams,
  userRequest,
  WEATHER_TOOL,
} from '../fakes/harness.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const { fake, deps } = useFakeUpstreams({ fake: createBedrockFake() });
const provider = (timeoutSeconds = 5) =>
  providerRecord('bedrock', fake.origin, { timeoutSeconds, metadata: { region: 'eu-west-1' } });
const chat = (request: Parameters<typeof invokeChat>[0]['request'], timeoutSeconds?: number) =>
  invokeChat({ provider: provider(timeoutSeconds), model: MODEL, request, credential: IAM, deps });

describe('bedrock adapter: Converse', () => {
  it('signs with SigV4 for the provider region and sends a Converse body', async () => {
    const request = userRequest('', {
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
      max_tokens: 64,
      temperature: 0.3,
      stop: ['END'],
    });
    const result = await chat(request);
    const sent = fake.last();
    expect(sent.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(String(sent.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEFAKE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/,
    );
    expect(sent.json).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'look' },
            { image: { format: 'png', source: { bytes: PNG_DATA_URL.split(',')[1] } } },
          ],
        },
      ],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 64, temperature: 0.3, stopSequences: ['END'] },
    });
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]).toMatchObject({
      message: { content: 'echo: look' },
      finish_reason: 'stop',
    });
    expect(result.usage).toEqual({ input_tokens: 19, output_tokens: 8, cached_input_tokens: 4 });
  });

  it('maps tools to toolConfig and toolUse answers to tool_calls, and tool results back', async () => {
    const first = await chat(userRequest('weather?', { tools: [WEATHER_TOOL], tool_choice: 'required' }));
    expect((fake.last().json as Record<string, unknown>).toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather for a city',
            inputSchema: { json: WEATHER_TOOL.function.parameters },
          },
        },
      ],
      toolChoice: { any: {} },
    });
    if (first.stream) throw new Error('expected a complete answer');
    const calls = first.response.choices[0]?.message.tool_calls ?? [];
    expect(calls).toEqual([
      {
        id: 'tooluse_fake_1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);
    const second = await chat(
      userRequest('', {
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: calls },
          { role: 'tool', tool_call_id: 'tooluse_fake_1', content: 'sunny' },
        ],
      }),
    );
    expect((fake.last().json as { messages: unknown[] }).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 'tooluse_fake_1', name: 'get_weather', input: { city: 'Paris' } } },
        ],
      },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'tooluse_fake_1', content: [{ text: 'sunny' }] } }],
      },
    ]);
    if (second.stream) throw new Error('expected a complete answer');
    expect(second.response.choices[0]?.message.content).toBe('echo: tool said sunny');
  });

  it('sends a Bedrock API key as a bearer token instead of signing', async () => {
    await invokeChat({
      provider: provider(),
      model: MODEL,
      request: userRequest('hi'),
      credential: API_KEY,
      deps,
    });
    expect(fake.last().headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('maps ThrottlingException to a retryable rate limit and ValidationException to a 400', async () => {
    fake.script('POST /model/*', bedrockError(429, 'ThrottlingException', 'Too many requests'));
    await expect(chat(userRequest('x'))).rejects.toMatchObject({
      type: 'rate_limited',
      retryable: true,
      upstreamStatus: 429,
    });
    fake.script('POST /model/*', bedrockError(400, 'ValidationException', 'bad input'));
    await expect(chat(userRequest('x'))).rejects.toMatchObject({
      type: 'invalid_request',
      retryable: false,
      statusCode: 400,
    });
  });

  it('refuses a remote image URL (Converse takes bytes; the gateway does not fetch URLs)', async () => {
    const request = userRequest('', {
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.example/cat.png' } }] },
      ],
    });
    await expect(chat(request)).rejects.toMatchObject({ type: 'unsupported' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('bedrock adapter: ConverseStream (AWS event-stream framing)', () => {
  it('streams text and reports usage from the metadata event', async () => {
    const result = await chat(
      userRequest('stream me', { stream: true, stream_options: { include_usage: true } }),
    );
    if (!result.stream) throw new Error('expected a stream');
    const chunks = await collect(result.stream);
    expect(fake.last().path).toBe(`/model/${encodeURIComponent(MODEL)}/converse-stream`);
    expect(assemble(chunks)).toMatchObject({ text: 'echo: stream me', finish: 'stop', roles: ['assistant'] });
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: BEDROCK_USAGE.inputTokens + BEDROCK_USAGE.cacheReadInputTokens,
      completion_tokens: 8,
    });
  });

  it('streams a tool call from contentBlockStart and toolUse input deltas', async () => {
    const result = await chat(userRequest('weather?', { stream: true, tools: [WEATHER_TOOL] }));
    await expectStreamedWeatherCall(result, 'tooluse_fake_1');
  });

  it('turns a throttlingException frame before the first chunk into a retryable error', async () => {
    fake.script('POST /model/*', {
      kind: 'frames',
      contentType: EVENT_STREAM,
      frames: [exceptionFrame('throttlingException', 'slow down')],
    });
    await expect(chat(userRequest('x', { stream: true }))).rejects.toMatchObject({
      type: 'rate_limited',
      retryable: true,
    });
  });

  it('cuts a stream that stalls after its first events within the idle budget', async () => {
    const frames = converseStreamFrames({
      messages: [{ role: 'user', content: [{ text: 'stall please' }] }],
    });
    fake.script('POST /model/*', { kind: 'frames', contentType: EVENT_STREAM, frames, stallAfter: 2 });
    const started = Date.now();
    const result = await chat(userRequest('stall please', { stream: true }), 1);
    if (!result.stream) throw new Error('expected a stream');
    await expect(collect(result.stream)).rejects.toMatchObject({ type: 'timeout', statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a stream that closes before messageStop', async () => {
    fake.script('POST /model/*', {
      kind: 'frames',
      contentType: EVENT_STREAM,
      frames: [
        eventFrame('messageStart', { role: 'assistant' }),
        eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hal' } }),
      ],
    });
    const result = await chat(userRequest('x', { stream: true }));
    if (!result.stream) throw new Error('expected a stream');
    await expect(collect(result.stream)).rejects.toMatchObject({ type: 'bad_upstream_response' });
  });
});

describe('bedrock adapter: embeddings via InvokeModel', () => {
  it('embeds with Titan one text per call and sums inputTextTokenCount', async () => {
    const result = await invokeEmbeddings({
      provider: provider(),
      model: 'amazon.titan-embed-text-v2:0',
      request: { model: 'e', input: ['hello world', 'hi'], dimensions: 3 },
      credential: IAM,
      deps,
    });
    expect(fake.requests.map((r) => r.json)).toEqual(
      expect.arrayContaining([
        { inputText: 'hello world', normalize: true, dimensions: 3 },
        { inputText: 'hi', normalize: true, dimensions: 3 },
      ]),
    );
    expect(result.response.data.map((d) => d.embedding)).toEqual([
      [11, 0.5, 0.5],
      [2, 0.5, 0.5],
    ]);
    expect(result.usage?.input_tokens).toBe(3);
  });

  it('embeds with Cohere in one call, usage from the token-count header', async () => {
    const result = await invokeEmbeddings({
      provider: provider(),
      model: 'us.cohere.embed-english-v3',
      request: { model: 'e', input: ['a', 'b'] },
      credential: IAM,
      deps,
    });
    expect(fake.last().json).toEqual({
      texts: ['a', 'b'],
      input_type: 'search_document',
      embedding_types: ['float'],
    });
    expect(result.response.data.map((d) => d.embedding)).toEqual([
      [0.5, 0.25],
      [1.5, 0.25],
    ]);
    expect(result.usage?.input_tokens).toBe(14);
  });
});

/**
 * `POST /v1/messages/count_tokens` through the whole gateway, called by the official Anthropic SDK
 * (`messages.countTokens`): Anthropic providers and Claude on Bedrock count upstream, OpenAI models
 * are counted with OpenAI's tokenizer, everything else is estimated; the header says which.
 */
import Anthropic from '@anthropic-ai/sdk';
import { countTokens as countWithTokenizer } from 'gpt-tokenizer/encoding/o200k_base';
import { encodeChat } from 'gpt-tokenizer/model/gpt-4o';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicFake, fakeTokenCount } from '../fakes/anthropic.js';
import { createBedrockFake } from '../fakes/bedrock.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

const CLAUDE_ON_BEDROCK = 'anthropic.claude-3-haiku-20240307-v1:0';
const TOOL = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string', description: 'The city' } },
    required: ['city'],
  },
};

let gw: TestGateway;
let anthropicFake: FakeUpstream;
let openaiFake: FakeUpstream;
let bedrockFake: FakeUpstream;
let anthropic: Anthropic;

const llm = (model_id: string) => ({
  model_id,
  model_type: 'llm',
  capabilities: ['streaming', 'tools', 'vision'],
});

beforeAll(async () => {
  anthropicFake = createAnthropicFake();
  openaiFake = createOpenAIFake();
  bedrockFake = createBedrockFake();
  const [anthropicOrigin, openaiOrigin, bedrockOrigin] = await Promise.all([
    anthropicFake.start(),
    openaiFake.start(),
    bedrockFake.start(),
  ]);
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', MOCK_PROVIDER: 'on' });
  await seedProvider(
    gw,
    {
      name: 'count-anthropic',
      provider_type: 'anthropic',
      service_types: ['llm'],
      base_url: anthropicOrigin,
    },
    { apiKey: TEST_KEY, models: [llm('claude-count')] },
  );
  await seedProvider(
    gw,
    { name: 'count-openai', provider_type: 'openai', service_types: ['llm'], base_url: `${openaiOrigin}/v1` },
    { apiKey: TEST_KEY, models: [llm('gpt-4o'), llm('gpt-4')] },
  );
  await seedProvider(
    gw,
    {
      name: 'count-bedrock',
      provider_type: 'bedrock',
      service_types: ['llm'],
      base_url: bedrockOrigin,
      metadata: { region: 'us-east-1' },
    },
    { apiKey: TEST_KEY, models: [llm(CLAUDE_ON_BEDROCK), llm('amazon.nova-lite-v1:0')] },
  );
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([anthropicFake.stop(), openaiFake.stop(), bedrockFake.stop()]);
});

async function count(params: Anthropic.MessageCountTokensParams) {
  const { data, response } = await anthropic.messages.countTokens(params).withResponse();
  return { tokens: data.input_tokens, exactness: response.headers.get('x-gateway-token-count'), response };
}

describe('count_tokens: the provider counts where it can', () => {
  it('asks an Anthropic provider, sending the Messages input (system, messages, tools) for the routed model', async () => {
    const params = {
      model: 'claude-count',
      system: 'Be brief.',
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
      tools: [TOOL],
    };
    const out = await count(params);
    const sent = anthropicFake.to('/v1/messages/count_tokens').at(-1)!;
    expect(sent.headers['x-api-key']).toBe(TEST_KEY);
    expect(sent.json).toEqual({
      model: 'claude-count',
      system: 'Be brief.',
      messages: params.messages,
      tools: [TOOL],
    });
    expect(out.tokens).toBe(fakeTokenCount(sent.json as Record<string, unknown>));
    expect(out.exactness).toBe('exact');
    expect(out.response.headers.get('x-gateway-provider')).toBe('count-anthropic');
  });

  it("asks Bedrock's CountTokens API for a Claude model, with a Claude InvokeModel body", async () => {
    const out = await count({
      model: CLAUDE_ON_BEDROCK,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
      ],
    });
    const sent = bedrockFake.last();
    expect(sent.path).toBe(`/model/${encodeURIComponent(CLAUDE_ON_BEDROCK)}/count-tokens`);
    expect(sent.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    const body = (sent.json as { input: { invokeModel: { body: string } } }).input.invokeModel.body;
    expect(JSON.parse(Buffer.from(body, 'base64').toString('utf8'))).toMatchObject({
      anthropic_version: 'bedrock-2023-05-31',
      messages: [{ role: 'user', content: 'one' }, { role: 'assistant' }, { role: 'user' }],
    });
    expect(out).toMatchObject({ tokens: 307, exactness: 'exact' });
  });
});

describe('count_tokens: counted locally', () => {
  it("counts an OpenAI model with OpenAI's tokenizer: 'hello world' as one user message is 9", async () => {
    const calls = openaiFake.requests.length;
    const out = await count({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello world' }] });
    expect(out.tokens).toBe(encodeChat([{ role: 'user', content: 'hello world' }]).length);
    expect(out.tokens).toBe(9);
    expect(out.exactness).toBe('exact');
    expect(openaiFake.requests.length).toBe(calls);
  });

  it('counts a system prompt and tools by OpenAI rules, and an inline image by its size', async () => {
    const plain = await count({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const withSystem = await count({
      model: 'gpt-4o',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
    });
    // A system message: 3 per message + the role + its text.
    expect(withSystem.tokens - plain.tokens).toBe(
      3 + countWithTokenizer('system') + countWithTokenizer('Be brief.'),
    );
    const withTools = await count({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [TOOL],
    });
    expect(withTools.tokens).toBeGreaterThan(plain.tokens + 9);
    expect(withTools.exactness).toBe('exact');
    // A 1×1 PNG at high detail on gpt-4o: 85 base + one 512 px tile of 170.
    const image = await count({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            {
              type: 'image',
              source: {
                type: 'base64',
                media_type: 'image/png',
                data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
              },
            },
          ],
        },
      ],
    });
    expect(image.tokens - plain.tokens).toBe(255);
    expect(image.exactness).toBe('exact');
  });

  it('marks a count estimated where no rule is published: a remote image, earlier tool calls', async () => {
    const remote = await count({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }],
        },
      ],
    });
    expect(remote.exactness).toBe('estimated');
    const tools = await count({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }] },
      ],
      tools: [TOOL],
    });
    expect(tools.exactness).toBe('estimated');
  });

  it('estimates for models without a counter: Nova on Bedrock and the mock, with no upstream call', async () => {
    const calls = bedrockFake.requests.length;
    const nova = await count({
      model: 'amazon.nova-lite-v1:0',
      messages: [{ role: 'user', content: 'hello world' }],
    });
    expect(nova).toMatchObject({ tokens: 9, exactness: 'estimated' });
    expect(bedrockFake.requests.length).toBe(calls);
    const mock = await count({ model: 'mock-chat', messages: [{ role: 'user', content: 'hello world' }] });
    expect(mock).toMatchObject({ tokens: 9, exactness: 'estimated' });
  });
});

describe('count_tokens: costs nothing and routes like a chat', () => {
  it('records no usage for counts (an embeddings call after them is the only request counted)', async () => {
    await count({ model: 'claude-count', messages: [{ role: 'user', content: 'free' }] });
    await count({ model: 'gpt-4o', messages: [{ role: 'user', content: 'free' }] });
    // A buffered route records its usage before it answers (a chat may record it after its stream).
    const billed = await gw.call('POST', '/v1/embeddings', {
      body: { model: 'mock-embed', input: 'billed' },
    });
    expect(billed.status, billed.text).toBe(200);
    await gw.runtime.streams!.idle();
    const usage = await gw.call('GET', '/api/usage?granularity=hour&group_by=model');
    expect(usage.status, usage.text).toBe(200);
    expect(usage.json.totals.requests).toBe(1);
    expect(usage.json.series.map((row: { group: string }) => row.group).filter(Boolean)).toEqual([
      'mock-embed',
    ]);
  });

  it('answers an unknown model with a 404 in Anthropic’s error shape', async () => {
    const error = await anthropic.messages
      .countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('refuses a malformed request with a 4xx naming the field', async () => {
    const res = await gw.call('POST', '/v1/messages/count_tokens', {
      body: { model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] },
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json)).toContain('messages');
  });
});

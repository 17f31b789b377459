/**
 * The client libraries people use, unchanged but for their base URL and key, against the local
 * runtime: the AI SDK's `openai(model)` (its default path is `/v1/responses`) and LangChain's
 * `ChatOpenAI` with `useResponsesApi: true`, generating and streaming, served by an Anthropic-wire
 * and a Bedrock provider.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { BEDROCK_MODEL, CLAUDE, useResponsesWorld, userTexts } from './responses-fixtures.js';

const world = useResponsesWorld();

/** Bodies the AI SDK sent to the gateway, newest last. */
const sentToGateway: Array<Record<string, unknown>> = [];
const aiSdk = () =>
  createOpenAI({
    baseURL: `${world.gw.url}/v1`,
    apiKey: world.gw.adminKey,
    fetch: (url, init) => {
      if (typeof init?.body === 'string') sentToGateway.push(JSON.parse(init.body));
      return fetch(url, init);
    },
  });
const langchain = (model: string) =>
  new ChatOpenAI({
    model,
    apiKey: world.gw.adminKey,
    configuration: { baseURL: `${world.gw.url}/v1` },
    useResponsesApi: true,
    maxRetries: 0,
  });

describe('the AI SDK (openai provider, Responses API by default)', () => {
  it.each([CLAUDE, BEDROCK_MODEL])('generates text and reports usage (%s)', async (model) => {
    const result = await generateText({ model: aiSdk()(model), prompt: 'Hello there' });
    expect(result.text).toBe('echo: Hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
  });

  it.each([CLAUDE, BEDROCK_MODEL])('streams text (%s)', async (model) => {
    const result = streamText({ model: aiSdk()(model), prompt: 'Stream please' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('echo: Stream please');
    expect((await result.usage).inputTokens).toBeGreaterThan(0);
  });

  it('runs a tool loop: the call, its result, then the answer', async () => {
    const calls: unknown[] = [];
    const result = await generateText({
      model: aiSdk()(CLAUDE),
      prompt: 'Weather in Paris?',
      stopWhen: stepCountIs(3),
      tools: {
        get_weather: tool({
          description: 'Weather of a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async (input) => {
            calls.push(input);
            return 'rain';
          },
        }),
      },
    });
    expect(calls).toEqual([{ city: 'Paris' }]);
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('echo: tool said rain');
  });

  it('continues with a multi-turn history whose earlier answer it sends as a reference', async () => {
    const first = await generateText({ model: aiSdk()(BEDROCK_MODEL), prompt: 'I like tea' });
    await generateText({
      model: aiSdk()(BEDROCK_MODEL),
      messages: [
        { role: 'user', content: 'I like tea' },
        ...first.response.messages,
        { role: 'user', content: 'What do I like?' },
      ],
    });
    // The first answer's message: the gateway names output items after their response.
    const answerId = `${first.response.id.replace('resp_', 'msg_')}_o0`;
    expect(sentToGateway.at(-1)?.input).toContainEqual({ type: 'item_reference', id: answerId });
    const sent = world.bedrock.last().json as { messages: Array<{ role: string }> };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(sent.messages[1])).toContain('echo: I like tea');
    expect(userTexts(sent)).toEqual(['I like tea', 'What do I like?']);
  });
});

describe('LangChain ChatOpenAI with useResponsesApi', () => {
  it.each([CLAUDE, BEDROCK_MODEL])('invokes (%s)', async (model) => {
    const message = await langchain(model).invoke('Hi LangChain');
    expect(message.text).toBe('echo: Hi LangChain');
    expect(message.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(String(message.response_metadata.id ?? message.id)).toMatch(/resp_|msg_/);
  });

  it.each([CLAUDE, BEDROCK_MODEL])('streams (%s)', async (model) => {
    let text = '';
    for await (const chunk of await langchain(model).stream('Stream LangChain')) text += chunk.text;
    expect(text).toBe('echo: Stream LangChain');
  });

  it('binds a tool and gets the call back', async () => {
    const llm = langchain(CLAUDE).bindTools([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
    const message = await llm.invoke('Weather?');
    expect(message.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } }),
    ]);
  });
});

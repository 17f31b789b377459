/**
 * `POST /v1/responses` with the official OpenAI SDK over real sockets, served by an Anthropic-wire
 * provider and by Bedrock (Converse) behind their fake upstreams: create, stream (the Responses
 * event sequence), retrieve, and the usage and cost the call leaves.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ANTHROPIC_USAGE } from '../fakes/anthropic.js';
import { BEDROCK_USAGE } from '../fakes/bedrock.js';
import { BEDROCK_MODEL, CLAUDE, useResponsesWorld, userTexts } from './responses-fixtures.js';

const world = useResponsesWorld();

/** What each fake reports, as the gateway counts it (input includes cache reads and writes). */
const PROVIDERS = [
  {
    label: 'an Anthropic-wire provider',
    model: CLAUDE,
    fake: () => world.anthropic,
    name: 'fake-anthropic',
    input:
      ANTHROPIC_USAGE.input_tokens +
      ANTHROPIC_USAGE.cache_read_input_tokens +
      ANTHROPIC_USAGE.cache_creation_input_tokens,
    cached: ANTHROPIC_USAGE.cache_read_input_tokens,
    output: ANTHROPIC_USAGE.output_tokens,
  },
  {
    label: 'Bedrock (Converse)',
    model: BEDROCK_MODEL,
    fake: () => world.bedrock,
    name: 'fake-bedrock',
    input: BEDROCK_USAGE.inputTokens + BEDROCK_USAGE.cacheReadInputTokens,
    cached: BEDROCK_USAGE.cacheReadInputTokens,
    output: BEDROCK_USAGE.outputTokens,
  },
];

describe.each(PROVIDERS)('responses API over $label', (p) => {
  it('creates a response: output text, usage as the provider reported it, the gateway headers', async () => {
    const { data, response } = await world
      .openai()
      .responses.create({ model: p.model, input: 'Bonjour', instructions: 'Be brief.' })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('echo: Bonjour');
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(data.usage).toMatchObject({
      input_tokens: p.input,
      output_tokens: p.output,
      total_tokens: p.input + p.output,
      input_tokens_details: { cached_tokens: p.cached },
    });
    expect(data.instructions).toBe('Be brief.');
    expect(response.headers.get('x-gateway-provider')).toBe(p.name);
    expect(response.headers.get('x-gateway-model')).toBe(p.model);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(userTexts(p.fake().last().json)).toEqual(['Bonjour']);
  });

  it('streams the Responses events, numbered from 0, ending with the usage', async () => {
    const stream = await world
      .openai()
      .responses.create({ model: p.model, input: 'Stream this', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text).toBe('echo: Stream this');
    const done = events.find((e) => e.type === 'response.output_text.done');
    expect(done?.type === 'response.output_text.done' && done.text).toBe(text);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage).toMatchObject({ input_tokens: p.input, output_tokens: p.output });
    expect(completed.response.output).toHaveLength(1);
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    expect(created.response).toMatchObject({ id: completed.response.id, status: 'in_progress', output: [] });
  });

  it('streams through the SDK’s stream helper, whose snapshot matches the final response', async () => {
    const runner = world.openai().responses.stream({ model: p.model, input: 'Helper' });
    let snapshotText = '';
    runner.on('response.output_text.delta', (event) => {
      snapshotText = event.snapshot;
    });
    const final = await runner.finalResponse();
    expect(final.output_text).toBe('echo: Helper');
    expect(snapshotText).toBe('echo: Helper');
  });

  it('retrieves what it created, streamed or not; the response is stored at once', async () => {
    const openai = world.openai();
    const created = await openai.responses.create({
      model: p.model,
      input: 'Keep me',
      metadata: { run: 'r1' },
    });
    const again = await openai.responses.retrieve(created.id);
    expect(again).toEqual(created);
    expect(again.output_text).toBe('echo: Keep me');
    expect(again.metadata).toEqual({ run: 'r1' });

    const stream = await openai.responses.create({ model: p.model, input: 'Keep the stream', stream: true });
    let id = '';
    for await (const event of stream) if (event.type === 'response.completed') id = event.response.id;
    expect((await openai.responses.retrieve(id)).output_text).toBe('echo: Keep the stream');
  });
});

describe('responses API: usage and cost', () => {
  it('records each call in the usage of the provider that served it, with its cost', async () => {
    const provider = world.providers[CLAUDE]!;
    const day = new Date().toISOString().slice(0, 10);
    const range = `granularity=day&start_date=${day}&end_date=${day}`;
    const totals = async () => {
      // The SDK stops reading at `response.completed`: the usage write runs after the response ends.
      await world.gw.runtime.idle();
      await world.gw.runtime.streams!.idle();
      const all = await world.gw.call('GET', `/api/usage?${range}&group_by=model`);
      const mine = await world.gw.call('GET', `/api/providers/${provider}/usage?${range}`);
      const row = (all.json.series as Array<{ group: string; requests: number }>).find(
        (r) => r.group === CLAUDE,
      );
      return { ...mine.json.totals, modelRequests: row?.requests ?? 0 };
    };
    const before = await totals();
    await world.openai().responses.create({ model: CLAUDE, input: 'count me' });
    const stream = await world.openai().responses.create({ model: CLAUDE, input: 'and me', stream: true });
    for await (const _ of stream);
    const after = await totals();
    const input = ANTHROPIC_USAGE.input_tokens + ANTHROPIC_USAGE.cache_read_input_tokens + 1;
    expect(after.requests - before.requests).toBe(2);
    expect(after.modelRequests - before.modelRequests).toBe(2);
    expect(after.output_tokens - before.output_tokens).toBe(2 * ANTHROPIC_USAGE.output_tokens);
    expect(after.input_tokens - before.input_tokens).toBe(2 * input);
    // The model's price: $3 per million input tokens, $15 per million output tokens.
    const cost = (2 * (input * 3 + ANTHROPIC_USAGE.output_tokens * 15)) / 1e6;
    expect(after.cost_usd - before.cost_usd).toBeCloseTo(cost, 9);
  });
});

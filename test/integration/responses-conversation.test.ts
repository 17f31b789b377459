/**
 * Conversations through `/v1/responses`: `previous_response_id` carries the whole conversation
 * upstream (asserted on what the fake received), function tools round-trip (call →
 * `function_call_output` → answer), `input_items` lists what a response answered, and item
 * references (what the AI SDK sends) resolve to the stored items.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { BEDROCK_MODEL, CLAUDE, useResponsesWorld, userTexts, WEATHER } from './responses-fixtures.js';

const world = useResponsesWorld();
/** A chat turn as a fake upstream received it (Anthropic or Converse). */
interface Turn {
  role: string;
  content: Array<Record<string, Record<string, unknown>>>;
}
type Upstream = { messages: Turn[] };

describe('responses: previous_response_id', () => {
  it.each([
    ['an Anthropic-wire provider', CLAUDE, () => world.anthropic],
    ['Bedrock', BEDROCK_MODEL, () => world.bedrock],
  ])(
    'sends the earlier turns and answers upstream (%s), not the earlier instructions',
    async (_l, model, fake) => {
      const openai = world.openai();
      const first = await openai.responses.create({
        model,
        input: 'My name is Ada.',
        instructions: 'Be terse.',
      });
      const second = await openai.responses.create({
        model,
        input: 'What is my name?',
        previous_response_id: first.id,
      });
      const third = await openai.responses.create({
        model,
        input: 'Thanks',
        previous_response_id: second.id,
      });
      const sent = fake().last().json as Upstream;
      expect(userTexts(sent)).toEqual(['My name is Ada.', 'What is my name?', 'Thanks']);
      const assistant = sent.messages.filter((m) => m.role === 'assistant');
      expect(JSON.stringify(assistant)).toContain('echo: My name is Ada.');
      expect(JSON.stringify(assistant)).toContain('echo: What is my name?');
      expect(JSON.stringify(sent)).not.toContain('Be terse.');
      expect(third.previous_response_id).toBe(second.id);
      expect(third.output_text).toBe('echo: Thanks');
    },
  );

  it('lists the items a response answered, newest first, paged by after', async () => {
    const openai = world.openai();
    const first = await openai.responses.create({ model: CLAUDE, input: 'one' });
    const second = await openai.responses.create({
      model: CLAUDE,
      input: 'two',
      previous_response_id: first.id,
    });
    const all = [];
    for await (const item of openai.responses.inputItems.list(second.id, { limit: 1 })) all.push(item);
    expect(all.map((item) => item.type)).toEqual(['message', 'message', 'message']);
    const texts = all.map((item) =>
      item.type === 'message' ? item.content.map((part) => ('text' in part ? part.text : '')).join('') : '',
    );
    expect(texts).toEqual(['two', 'echo: one', 'one']);
    expect(all[1]!.id).toBe(first.output[0]!.id);
    const asc = await openai.responses.inputItems.list(second.id, { order: 'asc' });
    expect(asc.data.map((item) => item.id)).toEqual(all.map((item) => item.id).reverse());
    expect(asc.has_more).toBe(false);
  });
});

describe('responses: function tools', () => {
  it.each([
    ['an Anthropic-wire provider', CLAUDE, () => world.anthropic],
    ['Bedrock', BEDROCK_MODEL, () => world.bedrock],
  ])('round-trips a call: function_call, then its output, then the answer (%s)', async (_l, model, fake) => {
    const openai = world.openai();
    const call = await openai.responses.create({ model, input: 'Weather in Paris?', tools: [WEATHER] });
    const fc = call.output.find((item) => item.type === 'function_call');
    expect(fc).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    if (fc?.type !== 'function_call') throw new Error('no function call');
    expect(JSON.parse(fc.arguments)).toEqual({ city: 'Paris' });
    const answer = await openai.responses.create({
      model,
      previous_response_id: call.id,
      tools: [WEATHER],
      input: [{ type: 'function_call_output', call_id: fc.call_id, output: 'sunny, 21°C' }],
    });
    expect(answer.output_text).toBe('echo: tool said sunny, 21°C');
    expect(JSON.stringify(fake().last().json)).toContain(fc.call_id);
  });

  it('streams a call as function_call_arguments deltas and done', async () => {
    const stream = await world.openai().responses.create({
      model: CLAUDE,
      input: 'Weather?',
      tools: [WEATHER],
      tool_choice: { type: 'function', name: 'get_weather' },
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const of = <T extends OpenAI.Responses.ResponseStreamEvent['type']>(type: T) =>
      events.filter((e): e is Extract<OpenAI.Responses.ResponseStreamEvent, { type: T }> => e.type === type);
    const added = of('response.output_item.added')[0];
    expect(added?.item).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '' });
    const deltas = of('response.function_call_arguments.delta').map((e) => e.delta);
    expect(deltas.join('')).toBe('{"city":"Paris"}');
    expect(of('response.function_call_arguments.done')[0]).toMatchObject({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      item_id: added?.item.id,
    });
    const completed = of('response.completed')[0];
    expect(completed?.response.output[0]).toMatchObject({ type: 'function_call', status: 'completed' });
  });

  it('sends a tool call the client replays itself, without previous_response_id', async () => {
    await world.openai().responses.create({
      model: BEDROCK_MODEL,
      tools: [WEATHER],
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call', call_id: 'call_mine', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        {
          type: 'function_call_output',
          call_id: 'call_mine',
          output: [{ type: 'input_text', text: 'snow' }],
        },
      ],
    });
    const messages = (world.bedrock.last().json as Upstream).messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]?.content[0]?.toolUse).toMatchObject({
      toolUseId: 'call_mine',
      input: { city: 'Oslo' },
    });
    expect(messages[2]?.content[0]?.toolResult?.toolUseId).toBe('call_mine');
  });
});

describe('responses: item references', () => {
  it('replaces a reference to an earlier answer by the stored item', async () => {
    const openai = world.openai();
    const first = await openai.responses.create({ model: CLAUDE, input: 'Remember 42' });
    await openai.responses.create({
      model: CLAUDE,
      input: [
        { role: 'user', content: 'Remember 42' },
        { type: 'item_reference', id: String(first.output[0]!.id) },
        { role: 'user', content: 'Which number?' },
      ],
    });
    const sent = world.anthropic.last().json as Upstream;
    expect(sent.messages[1]).toMatchObject({ role: 'assistant' });
    expect(JSON.stringify(sent.messages[1])).toContain('echo: Remember 42');
  });

  it('answers 404 naming the field for an item no stored response holds', async () => {
    const res = await world.gw.call('POST', '/v1/responses', {
      body: { model: CLAUDE, input: [{ type: 'item_reference', id: 'msg_unknown' }] },
    });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', details: [{ field: 'input.0.id' }] });
  });
});

describe('responses: text.format', () => {
  it('asks a provider without a JSON mode for JSON that follows the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await world.openai().responses.create({
      model: CLAUDE,
      input: 'Where is the Louvre?',
      text: { format: { type: 'json_schema', name: 'place', schema, strict: true } },
    });
    const system = (world.anthropic.last().json as { system?: string | Array<{ text: string }> }).system;
    const text = typeof system === 'string' ? system : (system ?? []).map((block) => block.text).join('\n');
    expect(text).toContain(
      `conforms to this JSON Schema, and nothing else (no prose, no code fences): ${JSON.stringify(schema)}`,
    );
  });
});

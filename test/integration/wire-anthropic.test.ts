/**
 * Recorded Anthropic answers replayed byte for byte through the gateway and read back with the
 * official SDKs: the Anthropic SDK on `/v1/messages`, and the OpenAI SDK on `/v1/chat/completions`
 * (an Anthropic answer through the other front). Usage and cost are what the gateway counted, at
 * the default catalog's prices.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRecording, recordedJson, replay } from '../support/recordings.js';
import { startWireRig, streamChat, type WireRig } from '../support/wire.js';

const MODEL = 'claude-haiku-4-5-20251001';
const ROUTE = 'POST /v1/messages';
let rig: WireRig;

beforeAll(async () => {
  rig = await startWireRig({ PROVIDER_MAX_RETRIES: '2' });
});
afterEach(() => rig.fakes.anthropic.reset());
afterAll(() => rig.stop());

/** Replays `file` and sends its recorded request to `/v1/messages` with the Anthropic SDK. */
async function messagesCreate(file: string, anthropic = rig.anthropic) {
  const recording = loadRecording(file);
  rig.fakes.anthropic.script(ROUTE, replay(recording));
  const { stream: _s, ...body } = recording.request;
  return { recording, message: await anthropic.messages.create({ ...body, max_tokens: 1024 }) };
}

describe('wire: Anthropic prompt-cache recordings, priced at the catalog', () => {
  it('04 cache read: the Anthropic SDK gets the split usage; the read is billed at the cached price', async () => {
    let message: Anthropic.Message | undefined;
    const counted = await rig.usageOf('anthropic', MODEL, async ({ anthropic }) => {
      ({ message } = await messagesCreate('04_anthropic_messages_nonstream_cache_read.json', anthropic));
    });
    expect(message?.content).toEqual([{ type: 'text', text: 'OK' }]);
    expect(message?.usage).toMatchObject({
      input_tokens: 10,
      cache_read_input_tokens: 7351,
      cache_creation_input_tokens: 0,
      output_tokens: 4,
    });
    // 10 × $1 + 7351 × $0.10 + 4 × $5 per 1M tokens = $0.0007651.
    expect(counted).toMatchObject({ input_tokens: 7361, cached_input_tokens: 7351, cache_write_tokens: 0 });
    expect(counted.cost_nanos).toBe(765_100);
  });

  it('11 cache write: billed at the 5-minute write price (1.25× input), not as plain input', async () => {
    let message: Anthropic.Message | undefined;
    const counted = await rig.usageOf('anthropic', MODEL, async ({ anthropic }) => {
      ({ message } = await messagesCreate('11_anthropic_messages_nonstream_cache_write.json', anthropic));
    });
    expect(message?.usage).toMatchObject({
      input_tokens: 10,
      cache_creation_input_tokens: 7351,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 7351, ephemeral_1h_input_tokens: 0 },
      output_tokens: 4,
    });
    // The cache breakpoint reached Anthropic as the client sent it (else nothing would be cached).
    const sent = rig.fakes.anthropic.last().json as Record<string, unknown>;
    expect(sent.system).toEqual(
      loadRecording('11_anthropic_messages_nonstream_cache_write.json').request.system,
    );
    // 10 × $1 + 7351 × $1.25 + 4 × $5 per 1M tokens = $0.00921875 (as plain input: $0.007381).
    expect(counted).toMatchObject({ input_tokens: 7361, cached_input_tokens: 0, cache_write_tokens: 7351 });
    expect(counted.cost_nanos).toBe(9_218_750);
  });

  it('11 through the OpenAI front: the write shows in prompt_tokens_details', async () => {
    rig.fakes.anthropic.script(
      ROUTE,
      replay(loadRecording('11_anthropic_messages_nonstream_cache_write.json')),
    );
    const completion = await rig.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Reply with exactly: OK' }],
    });
    expect(completion.choices[0]?.message.content).toBe('OK');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 7361,
      completion_tokens: 4,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 7351 },
    });
  });
});

describe('wire: cache breakpoints reach Anthropic from both fronts', () => {
  it('keeps cache_control on system, user text, tools and tool results', async () => {
    rig.fakes.anthropic.script(
      ROUTE,
      replay(loadRecording('04_anthropic_messages_nonstream_cache_read.json')),
    );
    const ephemeral = { type: 'ephemeral' as const };
    const hour = { type: 'ephemeral' as const, ttl: '1h' as const };
    await rig.anthropic.messages.create({
      model: MODEL,
      max_tokens: 64,
      system: [{ type: 'text', text: 'rules', cache_control: hour }],
      tools: [{ name: 'lookup', input_schema: { type: 'object' }, cache_control: ephemeral }],
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: ephemeral },
            { type: 'text', text: 'and?', cache_control: ephemeral },
          ],
        },
      ],
    });
    const sent = rig.fakes.anthropic.last().json as Record<string, any>;
    expect(sent.system).toEqual([{ type: 'text', text: 'rules', cache_control: hour }]);
    expect(sent.tools[0]).toMatchObject({ name: 'lookup', cache_control: ephemeral });
    expect(sent.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: ephemeral },
      { type: 'text', text: 'and?', cache_control: ephemeral },
    ]);
  });
});

describe('wire: Anthropic streams', () => {
  it('05 text stream (ping, padded data lines) reads back whole with both SDKs', async () => {
    const recording = loadRecording('05_anthropic_messages_stream_text.json');
    const expected = recordedText(recording.body!);
    rig.fakes.anthropic.script(ROUTE, replay(recording, { pieceBytes: 7 }));
    const { stream: _s, ...body } = recording.request;
    const final = await rig.anthropic.messages.stream({ ...body, max_tokens: 1024 }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: expected }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 633, output_tokens: 167 });

    rig.fakes.anthropic.script(ROUTE, replay(recording));
    const { text, usage } = await streamChat(rig.openai, {
      model: MODEL,
      messages: [{ role: 'user', content: 'best language?' }],
    });
    expect(text).toBe(expected);
    expect(usage).toMatchObject({ prompt_tokens: 633, completion_tokens: 167 });
  });

  it('06 tool-use stream: the input assembled from input_json_delta fragments, on both fronts', async () => {
    const recording = loadRecording('06_anthropic_messages_stream_tool_use.json');
    rig.fakes.anthropic.script(ROUTE, replay(recording));
    const { stream: _s, ...body } = recording.request;
    const final = await rig.anthropic.messages.stream({ ...body, max_tokens: 1024 }).finalMessage();
    const use = final.content.find((block) => block.type === 'tool_use');
    expect(use).toMatchObject({ name: 'weather', input: { latitude: '52.5200', longitude: '13.4050' } });
    expect(final.stop_reason).toBe('tool_use');

    rig.fakes.anthropic.script(ROUTE, replay(recording));
    const tools = body.tools.map((tool: Anthropic.Tool) => ({
      type: 'function' as const,
      function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
    }));
    const completion = await rig.openai.chat.completions
      .stream({ model: MODEL, messages: [{ role: 'user', content: 'weather in Berlin?' }], tools })
      .finalChatCompletion();
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({
      latitude: '52.5200',
      longitude: '13.4050',
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('14 an error event inside a 200 stream reaches the caller after the text it followed', async () => {
    rig.fakes.anthropic.script(ROUTE, replay(loadRecording('14_anthropic_stream_error_overloaded.json')));
    const seen: string[] = [];
    const counted = await rig.usageOf('anthropic', MODEL, async ({ anthropic }) => {
      const stream = anthropic.messages.stream({
        model: MODEL,
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'best language?' }],
      });
      stream.on('text', (text) => seen.push(text));
      await expect(stream.finalMessage()).rejects.toThrow(/overloaded/i);
    });
    expect(seen.join('')).toBe('According');
    expect(counted).toMatchObject({ requests: 1, errors: 1, cost_nanos: 0 });
    // Too late to fail over: one upstream call only.
    expect(rig.fakes.anthropic.to('/v1/messages')).toHaveLength(1);
  });
});

describe('wire: Anthropic errors and retry decisions', () => {
  it('07 a 529 overloaded is retried, and the retry answers', async () => {
    rig.fakes.anthropic.script(
      ROUTE,
      replay(loadRecording('07_anthropic_error_529_overloaded.json')),
      replay(loadRecording('04_anthropic_messages_nonstream_cache_read.json')),
    );
    const { data, response } = await rig.anthropic.messages
      .create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'OK' }]);
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
  });

  it('07d a 400 invalid_request is answered at once, never retried', async () => {
    const recording = loadRecording('07d_anthropic_error_400_invalid_request.json');
    rig.fakes.anthropic.script(ROUTE, replay(recording), replay(recording), replay(recording));
    const error = await rig.anthropic.messages
      .create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'a long prompt' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain(recordedJson(recording).error.message);
    expect(rig.fakes.anthropic.to('/v1/messages')).toHaveLength(1);
  });
});

/** The text of an Anthropic SSE body: its `text_delta`s joined. */
function recordedText(body: string): string {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.includes('"text_delta"'))
    .map((line) => JSON.parse(line.slice(6)).delta.text as string)
    .join('');
}

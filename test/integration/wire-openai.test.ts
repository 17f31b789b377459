/**
 * Recorded OpenAI answers replayed byte for byte through the gateway, read back with the OpenAI SDK
 * and (an OpenAI answer through the other front) the Anthropic SDK: chat, streams with usage and
 * tool calls, reasoning models' reasoning_tokens, embeddings, a transcription, and the errors that
 * decide retries. Costs at the default catalog's prices.
 */
import type Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRecording, recordedJson, replay } from '../support/recordings.js';
import { startWireRig, streamChat, type WireRig } from '../support/wire.js';

const CHAT = 'POST /v1/chat/completions';
const hello = [{ role: 'user' as const, content: 'hello' }];
let rig: WireRig;

beforeAll(async () => {
  rig = await startWireRig({ PROVIDER_MAX_RETRIES: '2' });
});
afterEach(() => rig.fakes.openai.reset());
afterAll(() => rig.stop());

/** The text of an OpenAI SSE body: its content deltas joined. */
function streamedText(body: string): string {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '')
    .join('');
}

describe('wire: OpenAI chat', () => {
  it('01 a completion, read by both SDKs, costed at the catalog price', async () => {
    const recording = loadRecording('01_openai_chat_nonstream.json');
    const recorded = recordedJson(recording);
    let content: string | null | undefined;
    const counted = await rig.usageOf('openai', 'gpt-4o', async ({ openai }) => {
      rig.fakes.openai.script(CHAT, replay(recording));
      content = (await openai.chat.completions.create({ model: 'gpt-4o', messages: hello })).choices[0]
        ?.message.content;
    });
    expect(content).toBe(recorded.choices[0].message.content);
    expect(counted).toMatchObject({ input_tokens: 16, output_tokens: 363 });
    // 16 × $2.50 + 363 × $10 per 1M tokens.
    expect(counted.cost_nanos).toBe(3_670_000);

    rig.fakes.openai.script(CHAT, replay(recording));
    const message = await rig.anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 1024,
      messages: hello,
    });
    expect(message.content).toEqual([{ type: 'text', text: recorded.choices[0].message.content }]);
    expect(message.usage).toMatchObject({ input_tokens: 16, output_tokens: 363 });
  });

  it('02 a stream with its usage chunk, read by both SDKs', async () => {
    const recording = loadRecording('02_openai_chat_stream_usage.json');
    const expected = streamedText(recording.body!);
    rig.fakes.openai.script(CHAT, replay(recording, { pieceBytes: 3 }));
    const { text, usage } = await streamChat(rig.openai, {
      model: 'gpt-4o',
      messages: recording.request.messages,
    });
    expect(text).toBe(expected);
    expect(usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 8 });

    rig.fakes.openai.script(CHAT, replay(recording));
    const final = await rig.anthropic.messages
      .stream({
        model: 'gpt-4o',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'capital of Mexico?' }],
      })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: expected }]);
    expect(final.usage).toMatchObject({ input_tokens: 14, output_tokens: 8 });
  });

  it('03 a streamed tool call, assembled by both SDKs', async () => {
    const recording = loadRecording('03_openai_chat_stream_tool_call.json');
    rig.fakes.openai.script(CHAT, replay(recording));
    const { stream: _s, stream_options: _o, ...request } = recording.request;
    const completion = await rig.openai.chat.completions
      .stream({ ...request, model: 'gpt-4o' })
      .finalChatCompletion();
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(
      call?.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : [],
    ).toEqual(['get_capital', { country: 'UK' }]);

    rig.fakes.openai.script(CHAT, replay(recording));
    const tools = request.tools.map((tool: OpenAI.ChatCompletionFunctionTool) => ({
      name: tool.function.name,
      input_schema: tool.function.parameters as Anthropic.Tool.InputSchema,
    }));
    const final = await rig.anthropic.messages
      .stream({ model: 'gpt-4o', max_tokens: 256, tools, messages: [{ role: 'user', content: 'UK?' }] })
      .finalMessage();
    expect(final.content.find((block) => block.type === 'tool_use')).toMatchObject({
      name: 'get_capital',
      input: { country: 'UK' },
    });
    expect(final.stop_reason).toBe('tool_use');
  });
});

describe('wire: OpenAI reasoning models', () => {
  it('15 reasoning tokens are output tokens: shown on both fronts, billed once, at the catalog price', async () => {
    const recording = loadRecording('15_openai_chat_nonstream_reasoning.json');
    let usage: OpenAI.CompletionUsage | undefined;
    const counted = await rig.usageOf('openai', 'gpt-6-luna', async ({ openai }) => {
      rig.fakes.openai.script(CHAT, replay(recording));
      usage = (await openai.chat.completions.create({ model: 'gpt-6-luna', messages: hello })).usage;
    });
    expect(usage).toMatchObject({
      completion_tokens: 138,
      completion_tokens_details: { reasoning_tokens: 128 },
    });
    expect(counted).toMatchObject({ input_tokens: 13, output_tokens: 138, reasoning_tokens: 128 });
    // 13 × $0.10 + 138 × $0.50 per 1M tokens: the 128 reasoning tokens are inside the 138.
    expect(counted.cost_nanos).toBe(70_300);

    rig.fakes.openai.script(CHAT, replay(recording));
    const message = await rig.anthropic.messages.create({
      model: 'gpt-6-luna',
      max_tokens: 1024,
      messages: hello,
    });
    expect(message.content).toEqual([{ type: 'text', text: '4' }]);
    expect(message.usage).toMatchObject({
      output_tokens: 138,
      output_tokens_details: { thinking_tokens: 128 },
    });
  });

  it('16 streamed: the usage chunk carries the reasoning tokens, and they are billed once', async () => {
    const recording = loadRecording('16_openai_chat_stream_reasoning.json');
    let usage: OpenAI.CompletionUsage | null | undefined;
    const counted = await rig.usageOf('openai', 'gpt-6-luna', async ({ openai }) => {
      rig.fakes.openai.script(CHAT, replay(recording));
      ({ usage } = await streamChat(openai, { model: 'gpt-6-luna', messages: hello }));
    });
    expect(usage).toMatchObject({
      completion_tokens: 142,
      completion_tokens_details: { reasoning_tokens: 128 },
    });
    // 13 × $0.10 + 142 × $0.50 per 1M tokens.
    expect(counted.cost_nanos).toBe(72_300);
  });
});

describe('wire: OpenAI embeddings and audio', () => {
  it('10 embeddings: the recorded vector, and its cost', async () => {
    const recording = loadRecording('10_openai_embeddings.json');
    let vector: number[] | undefined;
    const counted = await rig.usageOf('openai', 'text-embedding-3-small', async ({ openai }) => {
      rig.fakes.openai.script('POST /v1/embeddings', replay(recording));
      const result = await openai.embeddings.create({ ...recording.request, encoding_format: 'float' });
      vector = result.data[0]?.embedding;
    });
    expect(vector).toEqual(recordedJson(recording).data[0].embedding);
    expect(vector).toHaveLength(768);
    // 7 × $0.02 per 1M tokens.
    expect(counted).toMatchObject({ input_tokens: 7, cost_nanos: 140 });
  });

  it('26 a verbose transcription: the text, and the billed seconds at the catalog price', async () => {
    const recording = loadRecording('26_openai_transcription_verbose.json');
    let text = '';
    const counted = await rig.usageOf('openai', 'whisper-1', async ({ openai }) => {
      rig.fakes.openai.script('POST /v1/audio/transcriptions', replay(recording));
      const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(64, 1)]);
      const result = await openai.audio.transcriptions.create({
        file: await toFile(wav, 'clip.wav', { type: 'audio/wav' }),
        model: 'whisper-1',
        response_format: 'verbose_json',
      });
      text = result.text;
    });
    expect(text).toBe(recordedJson(recording).text);
    // usage.seconds (37, what OpenAI bills) × $0.0001.
    expect(counted).toMatchObject({ audio_ms: 37_000, cost_nanos: 3_700_000 });
  });
});

describe('wire: OpenAI errors and retry decisions', () => {
  it('08b a 400 reaches the SDK as a BadRequestError with OpenAI text, never retried', async () => {
    const recording = loadRecording('08b_openai_error_400_invalid_request.json');
    rig.fakes.openai.script(CHAT, replay(recording), replay(recording), replay(recording));
    const error = await rig.openai.chat.completions
      .create({ model: 'gpt-4o', messages: hello })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain(recordedJson(recording).error.message);
    expect(rig.fakes.openai.to('/v1/chat/completions')).toHaveLength(1);
  });

  it('17 a 429 "Request too large" is answered at once as 413, never retried', async () => {
    const recording = loadRecording('17_openai_error_429_request_too_large.json');
    rig.fakes.openai.script(CHAT, replay(recording), replay(recording), replay(recording));
    const error = await rig.openai.chat.completions
      .create({ model: 'gpt-4o', messages: hello })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/Request too large/);
    expect(rig.fakes.openai.to('/v1/chat/completions')).toHaveLength(1);
  });

  it('17b an ordinary 429 is retried after its Retry-After, and the retry answers', async () => {
    rig.fakes.openai.script(
      CHAT,
      replay(loadRecording('17b_openai_error_429_rate_limit.json')),
      replay(loadRecording('01_openai_chat_nonstream.json')),
    );
    const { data, response } = await rig.openai.chat.completions
      .create({ model: 'gpt-4o', messages: hello })
      .withResponse();
    expect(data.usage?.completion_tokens).toBe(363);
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
  });
});

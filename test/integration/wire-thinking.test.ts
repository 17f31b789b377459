/**
 * Extended thinking on the real wire: recorded Anthropic and Bedrock (Claude) answers with thinking
 * blocks replayed through the gateway. A `/v1/messages` caller gets the `thinking` block with its
 * signature (streamed: `thinking_delta` and `signature_delta`) and can send it back unchanged; an
 * OpenAI-front caller gets the same as `reasoning_content` / `thinking_blocks`; thinking tokens are
 * counted as the provider bills them (output tokens).
 */
import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAM } from '../fakes/bedrock.js';
import { bodyBytes, loadRecording, recordedJson, replay } from '../support/recordings.js';
import { startWireRig, type WireRig } from '../support/wire.js';

const MODEL = 'claude-haiku-4-5-20251001';
const BEDROCK_MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const ROUTE = 'POST /v1/messages';
let rig: WireRig;

beforeAll(async () => {
  rig = await startWireRig();
});
afterEach(() => {
  rig.fakes.anthropic.reset();
  rig.fakes.bedrock.reset();
});
afterAll(() => rig.stop());

const question = [{ role: 'user' as const, content: 'What is 5 + 3?' }];
const thinking = { type: 'enabled' as const, budget_tokens: 1024 };

describe('wire: Anthropic thinking through /v1/messages', () => {
  it('12 not streamed: the thinking block and its signature reach the caller unchanged; thinking billed as output', async () => {
    const recording = loadRecording('12_anthropic_messages_nonstream_thinking.json');
    const recorded = recordedJson(recording);
    let message: Anthropic.Message | undefined;
    const counted = await rig.usageOf('anthropic', MODEL, async ({ anthropic }) => {
      rig.fakes.anthropic.script(ROUTE, replay(recording));
      message = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 2048,
        thinking,
        messages: question,
      });
    });
    expect(message?.content).toEqual(recorded.content);
    expect(rig.fakes.anthropic.last().json).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(message?.usage).toMatchObject({
      output_tokens: 39,
      output_tokens_details: { thinking_tokens: 23 },
    });
    // 45 × $1 + 39 × $5 per 1M tokens: the 23 thinking tokens are output tokens.
    expect(counted).toMatchObject({ input_tokens: 45, output_tokens: 39, reasoning_tokens: 23 });
    expect(counted.cost_nanos).toBe(240_000);
  });

  it('12b the next turn sends the signed thinking block upstream exactly as the client sent it back', async () => {
    const recording = loadRecording('12b_anthropic_messages_thinking_second_turn.json');
    rig.fakes.anthropic.script(ROUTE, replay(recording));
    const { stream: _s, ...body } = recording.request;
    const message = await rig.anthropic.messages.create({ ...body, max_tokens: 2048 });
    expect(message.content).toEqual(recordedJson(recording).content);
    const sent = rig.fakes.anthropic.last().json as Record<string, unknown>;
    expect(sent.messages).toEqual(recording.request.messages);
    expect(sent.thinking).toEqual(recording.request.thinking);
  });

  it('13 streamed: thinking_delta and signature_delta events, assembled by the SDK into the same block', async () => {
    const recording = loadRecording('13_anthropic_messages_stream_thinking.json');
    const events = sseData(recording.body!);
    const thought = events
      .filter((e) => e.delta?.type === 'thinking_delta')
      .map((e) => e.delta.thinking)
      .join('');
    const signature = events.find((e) => e.delta?.type === 'signature_delta')?.delta.signature;
    const text = events
      .filter((e) => e.delta?.type === 'text_delta')
      .map((e) => e.delta.text)
      .join('');
    rig.fakes.anthropic.script(ROUTE, replay(recording, { pieceBytes: 64 }));
    const stream = rig.anthropic.messages.stream({
      model: MODEL,
      max_tokens: 2048,
      thinking,
      messages: question,
    });
    const deltas: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: thought, signature },
      { type: 'text', text },
    ]);
    expect(deltas).toContain('signature_delta');
    expect(final.usage).toMatchObject({ output_tokens: 638 });
  });
});

describe('wire: Anthropic thinking through the OpenAI front', () => {
  it('12 not streamed: reasoning_content, thinking_blocks and reasoning_tokens', async () => {
    const recording = loadRecording('12_anthropic_messages_nonstream_thinking.json');
    const [block] = recordedJson(recording).content;
    rig.fakes.anthropic.script(ROUTE, replay(recording));
    const completion = await rig.openai.chat.completions.create({
      model: MODEL,
      messages: question,
      // @ts-expect-error: the gateway's thinking parameter (Anthropic's), not in OpenAI's types.
      thinking,
    });
    const message = completion.choices[0]?.message as unknown as Record<string, unknown>;
    expect(message.content).toBe('5 + 3 = **8**');
    expect(message.reasoning_content).toBe(block.thinking);
    expect(message.thinking_blocks).toEqual([block]);
    expect(completion.usage).toMatchObject({
      completion_tokens: 39,
      completion_tokens_details: { reasoning_tokens: 23 },
    });
  });

  it('13 streamed: reasoning_content deltas, then the signature as a thinking block', async () => {
    const recording = loadRecording('13_anthropic_messages_stream_thinking.json');
    const signature = sseData(recording.body!).find((e) => e.delta?.type === 'signature_delta')?.delta
      .signature;
    rig.fakes.anthropic.script(ROUTE, replay(recording));
    const chunks = await rig.openai.chat.completions.create({
      model: MODEL,
      messages: question,
      stream: true,
    });
    let reasoning = '';
    const blocks: unknown[] = [];
    for await (const chunk of chunks) {
      const delta = chunk.choices[0]?.delta as Record<string, any> | undefined;
      reasoning += delta?.reasoning_content ?? '';
      blocks.push(...(delta?.thinking_blocks ?? []));
    }
    expect(reasoning.startsWith('This is a clever paradox question.')).toBe(true);
    expect(blocks).toEqual([{ type: 'thinking', thinking: '', signature }]);
  });
});

describe('wire: Bedrock (Claude) reasoning content', () => {
  it('20 Converse: reasoningText becomes a signed thinking block on /v1/messages', async () => {
    const recording = loadRecording('20_bedrock_converse_thinking.json');
    const [reasoning, answer] = recordedJson(recording).output.message.content;
    rig.fakes.bedrock.script('POST /model/*', replay(recording));
    const message = await rig.anthropic.messages.create({
      model: BEDROCK_MODEL,
      max_tokens: 2048,
      thinking,
      messages: [{ role: 'user', content: 'the magic mirror question' }],
    });
    expect(message.content).toEqual([
      {
        type: 'thinking',
        thinking: reasoning.reasoningContent.reasoningText.text,
        signature: reasoning.reasoningContent.reasoningText.signature,
      },
      { type: 'text', text: answer.text },
    ]);
    const sent = rig.fakes.bedrock.last().json as Record<string, unknown>;
    expect(sent.additionalModelRequestFields).toEqual(recording.request.additionalModelRequestFields);
    expect(message.usage).toMatchObject({ input_tokens: 80, output_tokens: 588 });
  });

  it('21 ConverseStream (binary event stream): reasoning deltas, the signature, then text', async () => {
    const recording = loadRecording('21_bedrock_converse_stream_thinking.json');
    rig.fakes.bedrock.script('POST /model/*', {
      kind: 'frames',
      frames: [bodyBytes(recording)],
      contentType: EVENT_STREAM,
    });
    const counted = await rig.usageOf('bedrock', BEDROCK_MODEL, async ({ anthropic }) => {
      const final = await anthropic.messages
        .stream({ model: BEDROCK_MODEL, max_tokens: 2048, thinking, messages: question })
        .finalMessage();
      expect(final.content.map((block) => block.type)).toEqual(['thinking', 'text']);
      const [first] = final.content;
      expect(first?.type === 'thinking' ? first.signature : undefined).toMatch(
        /^EsAdCkgIEBABGAIqQE2KtAoBCfgT31i3/,
      );
      expect(first?.type === 'thinking' ? first.thinking : '').toMatch(/^This is a clever logical/);
    });
    expect(counted).toMatchObject({ input_tokens: 80, output_tokens: 1113 });
    // 80 × $1 + 1113 × $5 per 1M tokens, at the test's Bedrock price.
    expect(counted.cost_nanos).toBe(5_645_000);
  });
});

/** The `data:` payloads of an SSE body, parsed. */
function sseData(body: string): any[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)));
}

/**
 * Recorded Cohere v2 answers replayed through the gateway. Every real Cohere chat answer reports
 * more cached tokens than it bills input tokens (its own system preamble is cached and not billed):
 * the gateway counts what Cohere bills (`usage.billed_units`) and answers, streamed or not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRecording, recordedJson, replay } from '../support/recordings.js';
import { type FoldedStream, startWireRig, streamChat, type WireRig } from '../support/wire.js';

const MODEL = 'command-a-03-2025';
let rig: WireRig;

beforeAll(async () => {
  rig = await startWireRig();
});
afterEach(() => rig.fakes.cohere.reset());
afterAll(() => rig.stop());

describe('wire: Cohere v2 chat usage (billed_units)', () => {
  it('09b answers (no 502 for cached > billed input) and bills the billed units at the catalog price', async () => {
    const recording = loadRecording('09b_cohere_chat_nonstream.json');
    let content: string | null | undefined;
    let usage: unknown;
    const counted = await rig.usageOf('cohere', MODEL, async ({ openai }) => {
      rig.fakes.cohere.script('POST /v2/chat', replay(recording));
      const completion = await openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: "What's 2 + 2?" }],
      });
      content = completion.choices[0]?.message.content;
      usage = completion.usage;
    });
    expect(content).toBe('2 + 2 equals 4.');
    expect(usage).toMatchObject({
      prompt_tokens: 8,
      completion_tokens: 8,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    // 8 × $2.50 + 8 × $10 per 1M tokens (billed_units; usage.tokens says 503/11, cached_tokens 448).
    expect(counted).toMatchObject({ input_tokens: 8, output_tokens: 8, cached_input_tokens: 0 });
    expect(counted.cost_nanos).toBe(100_000);
  });

  it('09b read with the Anthropic SDK through /v1/messages', async () => {
    rig.fakes.cohere.script('POST /v2/chat', replay(loadRecording('09b_cohere_chat_nonstream.json')));
    const message = await rig.anthropic.messages.create({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: "What's 2 + 2?" }],
    });
    expect(message.content).toEqual([{ type: 'text', text: '2 + 2 equals 4.' }]);
    expect(message.usage).toMatchObject({ input_tokens: 8, output_tokens: 8, cache_read_input_tokens: 0 });
  });

  it('18 streamed: text and the billed usage of message-end, on both fronts', async () => {
    const recording = loadRecording('18_cohere_chat_stream.json');
    let folded: FoldedStream | undefined;
    const counted = await rig.usageOf('cohere', MODEL, async ({ openai }) => {
      rig.fakes.cohere.script('POST /v2/chat', replay(recording, { pieceBytes: 5 }));
      folded = await streamChat(openai, {
        model: MODEL,
        messages: [{ role: 'user', content: 'Count from 1 to 3' }],
      });
    });
    const { text, usage } = folded!;
    expect(text).toBe("Sure! Here's counting from 1 to 3:\n\n1, 2, 3.");
    expect(usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 21 });
    // 7 × $2.50 + 21 × $10 per 1M tokens.
    expect(counted.cost_nanos).toBe(227_500);

    rig.fakes.cohere.script('POST /v2/chat', replay(recording));
    const final = await rig.anthropic.messages
      .stream({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'Count from 1 to 3' }] })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text }]);
    expect(final.usage).toMatchObject({ input_tokens: 7, output_tokens: 21 });
  });
});

describe('wire: Cohere embed and rerank', () => {
  it('19 embed: the vector as recorded and the billed input tokens at the catalog price', async () => {
    const recording = loadRecording('19_cohere_embed_v2.json');
    let vector: number[] | undefined;
    const counted = await rig.usageOf('cohere', 'embed-v4.0', async ({ openai }) => {
      rig.fakes.cohere.script('POST /v2/embed', replay(recording));
      const result = await openai.embeddings.create({
        model: 'embed-v4.0',
        input: recording.request.texts,
        encoding_format: 'float',
      });
      vector = result.data[0]?.embedding;
    });
    expect(vector).toEqual(recordedJson(recording).embeddings.float[0]);
    expect(counted.input_tokens).toBe(7);
    // 7 × $0.12 per 1M tokens.
    expect(counted.cost_nanos).toBe(840);
  });

  it('10b rerank: results by relevance with their recorded scores', async () => {
    const recording = loadRecording('10b_cohere_rerank_v2.json');
    rig.fakes.cohere.script('POST /v2/rerank', replay(recording));
    const res = await rig.gw.call('POST', '/v1/rerank', {
      body: { model: 'rerank-v3.5', query: recording.request.query, documents: recording.request.documents },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.results).toEqual([
      { index: 1, relevance_score: 0.86303437 },
      { index: 0, relevance_score: 0.17279942 },
    ]);
    expect(res.json.usage).toMatchObject({ search_units: 1 });
  });
});

/**
 * Recorded Bedrock and Hugging Face answers replayed through the gateway: Bedrock Converse with
 * prompt caching (cacheWrite with its cacheDetails, cacheRead) and ConverseStream's binary event
 * stream as recorded; the Hugging Face router (OpenAI-compatible, served by Together and Novita)
 * plain, with a tool call and streamed; a Text Embeddings Inference server (built from its API
 * reference: no public recording exists).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAM } from '../fakes/bedrock.js';
import { bodyBytes, loadRecording, recordedJson, replay } from '../support/recordings.js';
import { startWireRig, streamChat, type WireRig } from '../support/wire.js';

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const NOVA = 'us.amazon.nova-2-lite-v1:0';
const CHAT = 'POST /v1/chat/completions';
let rig: WireRig;

beforeAll(async () => {
  rig = await startWireRig();
});
afterEach(() => {
  for (const fake of Object.values(rig.fakes)) fake.reset();
});
afterAll(() => rig.stop());

const ok = [{ role: 'user' as const, content: 'Reply with exactly: OK' }];

describe('wire: Bedrock Converse prompt caching and ConverseStream', () => {
  it('22 a cache breakpoint becomes a cachePoint; the write (cacheDetails ttl 5m) is billed at the write price', async () => {
    const recording = loadRecording('22_bedrock_converse_cache_write.json');
    const system = recording.request.system[0].text as string;
    let usage: unknown;
    const counted = await rig.usageOf('bedrock', HAIKU, async ({ anthropic }) => {
      rig.fakes.bedrock.script('POST /model/*', replay(recording));
      const cached = [{ type: 'text' as const, text: system, cache_control: { type: 'ephemeral' as const } }];
      usage = (
        await anthropic.messages.create({ model: HAIKU, max_tokens: 64, system: cached, messages: ok })
      ).usage;
    });
    // The same system blocks as the recorded client sent: the text, then a cache point.
    expect((rig.fakes.bedrock.last().json as Record<string, unknown>).system).toEqual(
      recording.request.system,
    );
    expect(usage).toMatchObject({
      input_tokens: 10,
      cache_creation_input_tokens: 7351,
      cache_creation: { ephemeral_5m_input_tokens: 7351, ephemeral_1h_input_tokens: 0 },
      output_tokens: 4,
    });
    expect(counted).toMatchObject({ input_tokens: 7361, cache_write_tokens: 7351, cached_input_tokens: 0 });
    // 10 × $1 + 7351 × $1.25 + 4 × $5 per 1M tokens, at the test's Bedrock price.
    expect(counted.cost_nanos).toBe(9_218_750);
  });

  it('22b the following cache read is billed at the cached price', async () => {
    const recording = loadRecording('22b_bedrock_converse_cache_read.json');
    const counted = await rig.usageOf('bedrock', HAIKU, async ({ openai }) => {
      rig.fakes.bedrock.script('POST /model/*', replay(recording));
      const completion = await openai.chat.completions.create({ model: HAIKU, messages: ok });
      expect(completion.choices[0]?.message.content).toBe('OK');
      expect(completion.usage).toMatchObject({
        prompt_tokens: 7361,
        prompt_tokens_details: { cached_tokens: 7351 },
      });
    });
    // 10 × $1 + 7351 × $0.10 + 4 × $5 per 1M tokens.
    expect(counted.cost_nanos).toBe(765_100);
  });

  it('23 ConverseStream text (Amazon Nova) through the OpenAI SDK, with its usage', async () => {
    const recording = loadRecording('23_bedrock_converse_stream_text.json');
    rig.fakes.bedrock.script('POST /model/*', {
      kind: 'frames',
      frames: [bodyBytes(recording)],
      contentType: EVENT_STREAM,
    });
    const { text, usage } = await streamChat(rig.openai, {
      model: NOVA,
      messages: [{ role: 'user', content: 'Count from 1 to 3' }],
    });
    expect(text).toBe('Sure! Here is the count from 1 to 3:\n\n1  \n2  \n3');
    expect(usage).toMatchObject({ prompt_tokens: 53, completion_tokens: 21 });
  });
});

describe('wire: Hugging Face router', () => {
  it('24 a completion served by Together (DeepSeek-R1, thinking inline), through both fronts', async () => {
    const recording = loadRecording('24_huggingface_router_chat_nonstream.json');
    const recorded = recordedJson(recording);
    rig.fakes.router.script(CHAT, replay(recording));
    const completion = await rig.openai.chat.completions.create({
      model: 'deepseek-ai/DeepSeek-R1',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe(recorded.choices[0].message.content);
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 197 });

    rig.fakes.router.script(CHAT, replay(recording));
    const message = await rig.anthropic.messages.create({
      model: 'deepseek-ai/DeepSeek-R1',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: recorded.choices[0].message.content }]);
  });

  it('24b a tool call (reasoning: null, content "") reads as a tool call', async () => {
    rig.fakes.router.script(CHAT, replay(loadRecording('24b_huggingface_router_chat_tool_call.json')));
    const completion = await rig.openai.chat.completions.create({
      model: 'meta-llama/Llama-4-Scout-17B-16E-Instruct',
      messages: [{ role: 'user', content: "What's the weather in Paris?" }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_fd883226aed04dee83ca77e0',
      function: { name: 'get_weather', arguments: '{"city": "Paris"}' },
    });
  });

  it('25 a stream served by Novita (extra fields, null usage details) with its usage', async () => {
    rig.fakes.router.script(
      CHAT,
      replay(loadRecording('25_huggingface_router_chat_stream.json'), { pieceBytes: 11 }),
    );
    const final = await rig.anthropic.messages
      .stream({
        model: 'meta-llama/llama-3.1-8b-instruct',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Reply with exactly: Paris' }],
      })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Paris' }]);
    expect(final.usage).toMatchObject({ input_tokens: 40, output_tokens: 2 });
  });
});

describe('wire: Text Embeddings Inference (from the API reference)', () => {
  it('27 /embed: bare vectors, usage from x-compute-tokens', async () => {
    const recording = loadRecording('27_tei_embed.json');
    rig.fakes.tei.script('POST /embed', replay(recording));
    const result = await rig.openai.embeddings.create({
      model: 'BAAI/bge-small-en-v1.5',
      input: recording.request.inputs,
      encoding_format: 'float',
    });
    expect(result.data.map((d) => d.embedding)).toEqual(recordedJson(recording));
    expect(result.usage).toMatchObject({ prompt_tokens: 14, total_tokens: 14 });
  });

  it('28 /rerank: sorted scores as the rerank answer', async () => {
    const recording = loadRecording('28_tei_rerank.json');
    rig.fakes.tei.script('POST /rerank', replay(recording));
    const res = await rig.gw.call('POST', '/v1/rerank', {
      body: {
        model: 'BAAI/bge-reranker-large',
        query: recording.request.query,
        documents: recording.request.texts,
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.results).toEqual([
      { index: 1, relevance_score: 0.9988041 },
      { index: 0, relevance_score: 0.02294873 },
    ]);
    expect(res.json.usage).toMatchObject({ total_tokens: 22 });
  });
});

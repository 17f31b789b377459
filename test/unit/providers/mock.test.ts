import { buffer } from 'node:stream/consumers';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  invokeChat,
  invokeEmbeddings,
  invokeRerank,
  invokeSpeech,
  invokeTranscription,
} from '../../../lib/adapters/invoke.js';
import { base64ToFloats } from '../../../lib/ai/embedding-encoding.js';
import {
  assemble,
  collect,
  providerRecord,
  testDeps,
  userRequest,
  WEATHER_TOOL,
} from '../../fakes/harness.js';

let deps = testDeps();
const none = { type: 'api_key' as const };
const mock = (metadata: Record<string, unknown> = {}, timeoutSeconds = 5) =>
  providerRecord('mock', null, { metadata, timeoutSeconds, id: `prov_mock_${JSON.stringify(metadata)}` });

// A fresh provider view per test: the mock's call counters start at zero.
beforeEach(async () => {
  await deps.close();
  deps = testDeps();
});
afterAll(() => deps.close());

describe('mock provider', () => {
  it('echoes the last user message, marked as mock, with fixed usage and no credential', async () => {
    const result = await invokeChat({
      provider: mock(),
      model: 'mock-1',
      request: userRequest('hello gateway'),
      credential: none,
      deps,
    });
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]?.message.content).toBe('[mock] You said: hello gateway');
    expect(result.response).toMatchObject({
      system_fingerprint: 'mock',
      model: 'mock-1',
      id: expect.stringMatching(/^mock-/),
    });
    expect(result.usage).toEqual({ input_tokens: 10, output_tokens: 20, cached_input_tokens: 0 });
    expect(result.meta.mock).toBe(true);
  });

  it('streams word by word and calls a tool when one is required', async () => {
    const text = await invokeChat({
      provider: mock(),
      model: 'm',
      request: userRequest('one two', { stream: true, stream_options: { include_usage: true } }),
      credential: none,
      deps,
    });
    if (!text.stream) throw new Error('expected a stream');
    const chunks = await collect(text.stream);
    expect(assemble(chunks).text).toBe('[mock] You said: one two');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 20 });
    const tool = await invokeChat({
      provider: mock(),
      model: 'm',
      request: userRequest('w', { stream: true, tools: [WEATHER_TOOL], tool_choice: 'required' }),
      credential: none,
      deps,
    });
    if (!tool.stream) throw new Error('expected a stream');
    expect(assemble(await collect(tool.stream))).toMatchObject({
      toolCalls: [{ name: 'get_weather', arguments: '{}' }],
      finish: 'tool_calls',
    });
  });

  it('fails deterministically at its failure rate (exactly 3 of 10 at 0.3)', async () => {
    const provider = mock({ failure_rate: 0.3, failure_status: 429 });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push(
        await invokeChat({ provider, model: 'm', request: userRequest('x'), credential: none, deps }).then(
          () => 'ok',
          (e: { type: string }) => e.type,
        ),
      );
    }
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(3);
    await deps.close();
    deps = testDeps();
    const again: string[] = [];
    for (let i = 0; i < 10; i++)
      again.push(
        await invokeChat({ provider, model: 'm', request: userRequest('x'), credential: none, deps }).then(
          () => 'ok',
          (e: { type: string }) => e.type,
        ),
      );
    expect(again).toEqual(outcomes);
  });

  it('waits its latency, and a latency beyond the budget is a timeout', async () => {
    const started = Date.now();
    await invokeChat({
      provider: mock({ latency_ms: 150 }),
      model: 'm',
      request: userRequest('x'),
      credential: none,
      deps,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(
      invokeChat({
        provider: mock({ latency_ms: 5000 }),
        model: 'm',
        request: userRequest('x'),
        credential: none,
        deps,
        deadline: Date.now() + 100,
      }),
    ).rejects.toMatchObject({ type: 'timeout', statusCode: 504 });
  });

  it('serves embeddings (deterministic unit vectors), rerank, speech and transcription', async () => {
    const a = await invokeEmbeddings({
      provider: mock(),
      model: 'e',
      request: { model: 'e', input: ['same', 'other'], dimensions: 6 },
      credential: none,
      deps,
    });
    const b = await invokeEmbeddings({
      provider: mock(),
      model: 'e',
      request: { model: 'e', input: 'same', encoding_format: 'base64' },
      credential: none,
      deps,
    });
    const first = a.response.data[0]?.embedding as number[];
    expect(first).toHaveLength(6);
    expect(Math.hypot(...first)).toBeCloseTo(1, 5);
    expect(base64ToFloats(b.response.data[0]?.embedding as string)?.length).toBe(8);

    const rerank = await invokeRerank({
      provider: mock(),
      model: 'r',
      request: { model: 'r', query: 'red apple', documents: ['blue sky', 'a red apple', 'red car'] },
      credential: none,
      deps,
    });
    expect(rerank.response.results.map((r) => r.index)).toEqual([1, 2, 0]);

    const speech = await invokeSpeech({
      provider: mock(),
      model: 's',
      request: { model: 's', input: 'hello', voice: 'v' },
      credential: none,
      deps,
    });
    expect((await buffer(speech.response.audio)).subarray(0, 4).toString()).toBe('RIFF');
    expect(speech.usage?.characters).toBe(5);

    const heard = await invokeTranscription({
      provider: mock(),
      model: 't',
      request: {
        model: 't',
        file: { data: new Uint8Array(3), filename: 'a.wav', content_type: 'audio/wav' },
      },
      credential: none,
      deps,
    });
    expect(heard.response.text).toBe('[mock] transcription of a.wav (3 bytes)');
  });
});

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toAnthropicMessages } from '../../../lib/adapters/anthropic/request.js';
import { converseInput } from '../../../lib/adapters/bedrock/request.js';
import { cohereChatBody } from '../../../lib/adapters/cohere/request.js';
import type { CallContext } from '../../../lib/adapters/contract.js';
import { openAIStreamMapper } from '../../../lib/adapters/openai-base/stream.js';
import { base64ToFloats, encodeEmbedding, floatsToBase64 } from '../../../lib/ai/embedding-encoding.js';
import { parseImageUrl } from '../../../lib/ai/images.js';
import { readScores, rerankResponse } from '../../../lib/ai/rerank-response.js';
import type { ChatCompletionRequest } from '../../../lib/ai/types.js';
import { tokenCount, usageFrom } from '../../../lib/ai/usage.js';
import { providerRecord, testDeps, WEATHER_TOOL } from '../../fakes/harness.js';

const deps = testDeps();
afterAll(() => deps.http.close());
const ctx = (type: 'openai' | 'cohere'): CallContext => ({
  provider: providerRecord(type, null),
  model: 'm',
  credential: { type: 'api_key', value: 'k' },
  baseUrl: new URL('https://api.example.com/v1'),
  budget: { timeoutMs: 1000 },
  deps,
});
const request = (
  messages: ChatCompletionRequest['messages'],
  extra: Partial<ChatCompletionRequest> = {},
): ChatCompletionRequest => ({ model: 'x', messages, ...extra });

describe('images', () => {
  it.each([
    ['data:image/png;base64,AAAA', { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }],
    ['data:image/jpg;base64,AAAA', { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' }],
    ['https://x.example/a.png', { kind: 'url', url: 'https://x.example/a.png' }],
  ])('%s', (url, expected) => {
    expect(parseImageUrl(url)).toEqual(expected);
  });

  it.each(['data:image/svg+xml;base64,AAAA', 'data:image/png;base64,not base64!', 'ftp://x/a.png'])(
    'refuses %s',
    (url) => {
      expect(parseImageUrl(url).kind).toBe('invalid');
    },
  );
});

describe('embedding encoding', () => {
  it('base64 float32 round-trips any float32 vector', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 64 }),
        (values) => {
          const f32 = [...new Float32Array(values)];
          expect(base64ToFloats(floatsToBase64(f32))).toEqual(f32);
        },
      ),
    );
  });

  it('refuses vectors with non-numbers and base64 that is not whole floats', () => {
    expect(encodeEmbedding([1, 'x'], 'float')).toBeUndefined();
    expect(encodeEmbedding([1, Number.NaN], 'float')).toBeUndefined();
    expect(encodeEmbedding('AAA=', 'float')).toBeUndefined();
  });
});

describe('usage validation', () => {
  it('accepts absent and valid counts and refuses the rest', () => {
    expect(tokenCount(undefined, 'x', 'p')).toBeUndefined();
    expect(tokenCount(null, 'x', 'p')).toBeUndefined();
    expect(tokenCount(0, 'x', 'p')).toBe(0);
    for (const bad of [-1, 1.5, '3', Number.POSITIVE_INFINITY, 1e12, true]) {
      expect(() => tokenCount(bad, 'x', 'p')).toThrow(/invalid usage/);
    }
  });

  it('clamps parts larger than their whole instead of failing the answer', () => {
    expect(usageFrom({ input: 1, cached: 2 })).toEqual({
      input_tokens: 1,
      output_tokens: 0,
      cached_input_tokens: 1,
    });
    expect(
      usageFrom({ input: 10, cached: 4, cacheWrite: 9, cacheWrite1h: 20, output: 3, reasoning: 5 }),
    ).toEqual({
      input_tokens: 10,
      output_tokens: 3,
      cached_input_tokens: 4,
      cache_write_tokens: 6,
      cache_write_1h_tokens: 6,
      reasoning_tokens: 3,
    });
  });
});

describe('rerank results', () => {
  it('refuses repeated or out-of-range indexes and sorts by score', () => {
    expect(() =>
      readScores(
        [
          { index: 0, score: 1 },
          { index: 0, score: 2 },
        ],
        'score',
        2,
        'p',
      ),
    ).toThrow(/invalid index/);
    expect(() => readScores([{ index: 5, score: 1 }], 'score', 2, 'p')).toThrow(/invalid index/);
    const results = readScores(
      [
        { index: 0, score: 0.1 },
        { index: 1, score: 0.9 },
      ],
      'score',
      2,
      'p',
    );
    const response = rerankResponse({
      id: 'r',
      model: 'm',
      request: { model: 'm', query: 'q', documents: ['a', 'b'], top_n: 1 },
      results,
      usage: { total_tokens: 0 },
    });
    expect(response.results).toEqual([{ index: 1, relevance_score: 0.9 }]);
  });
});

describe('message translation', () => {
  it('anthropic: merges consecutive same-role turns and groups tool results into one user turn', () => {
    const { system, turns } = toAnthropicMessages([
      { role: 'system', content: 'a' },
      { role: 'user', content: 'q1' },
      { role: 'user', content: 'q2' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 't2', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: 'r1' },
      { role: 'tool', tool_call_id: 't2', content: 'r2' },
      { role: 'developer', content: 'b' },
    ]);
    expect(system).toEqual(['a', 'b']);
    expect(turns.map((t) => [t.role, t.content.length])).toEqual([
      ['user', 2],
      ['assistant', 2],
      ['user', 2],
    ]);
  });

  it('bedrock: tool_choice none drops the tools unless the history uses them', () => {
    const plain = converseInput(
      'm',
      request([{ role: 'user', content: 'hi' }], { tools: [WEATHER_TOOL], tool_choice: 'none' }),
    );
    expect(plain.toolConfig).toBeUndefined();
    const history = converseInput(
      'm',
      request(
        [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 't1', content: 'sunny' },
        ],
        { tools: [WEATHER_TOOL], tool_choice: 'none' },
      ),
    );
    expect(history.toolConfig?.toolChoice).toEqual({ auto: {} });
  });

  it('cohere: a named tool choice becomes REQUIRED with only that tool', () => {
    const other = { type: 'function' as const, function: { name: 'other' } };
    const body = cohereChatBody(
      ctx('cohere'),
      request([{ role: 'user', content: 'hi' }], {
        tools: [other, WEATHER_TOOL],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      }),
      false,
    );
    expect(body.tool_choice).toBe('REQUIRED');
    expect((body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual([
      'get_weather',
    ]);
  });
});

describe('openai stream mapper', () => {
  it('absorbs a usage-only chunk, keeps choices of a chunk that carries usage too, and ends at [DONE]', () => {
    const mapper = openAIStreamMapper(ctx('openai'));
    const choice = { index: 0, delta: { content: 'hi' }, finish_reason: 'stop' };
    expect(
      mapper.map({
        event: 'message',
        data: JSON.stringify({
          id: 'a',
          choices: [choice],
          usage: { prompt_tokens: 3, completion_tokens: 1 },
        }),
      }),
    ).toHaveLength(1);
    expect(
      mapper.map({
        event: 'message',
        data: JSON.stringify({ id: 'a', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } }),
      }),
    ).toEqual([]);
    expect(mapper.usage()).toEqual({ input_tokens: 4, output_tokens: 2, cached_input_tokens: 0 });
    expect(mapper.done()).toBe(false);
    mapper.map({ event: 'message', data: '[DONE]' });
    expect(mapper.done()).toBe(true);
  });

  it('accepts a close after a finish reason without [DONE], but not before one', () => {
    const finished = openAIStreamMapper(ctx('openai'));
    finished.map({
      event: 'message',
      data: JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }),
    });
    expect(finished.end()).toEqual([]);
    const cut = openAIStreamMapper(ctx('openai'));
    cut.map({
      event: 'message',
      data: JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] }),
    });
    expect(() => cut.end()).toThrow(/before it was complete/);
    expect(() => cut.map({ event: 'message', data: '<html>' })).toThrow(/not JSON/);
  });
});

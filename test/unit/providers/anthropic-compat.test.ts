import { describe, expect, it } from 'vitest';
import {
  AnthropicStreamWriter,
  anthropicErrorBody,
  anthropicMessagesRequestSchema,
  anthropicSse,
  anthropicToCanonical,
  canonicalToAnthropic,
} from '../../../lib/ai/anthropic-compat.js';
import { makeChunk, makeCompletion, makeUsageChunk } from '../../../lib/ai/chat-builders.js';
import { SseParser } from '../../../lib/ai/sse.js';
import { UpstreamError } from '../../../lib/upstream/errors.js';

const PNG = 'iVBORw0KGgo=';

describe('anthropic compat: request → canonical', () => {
  it('maps system, images, tool use and tool results, tool choice and sampling', () => {
    const body = anthropicMessagesRequestSchema.parse({
      model: 'claude-x',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'tu1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'tu1', content: [{ type: 'text', text: 'sunny' }] },
            { type: 'text', text: 'and?' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'w', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.2,
      top_k: 5,
      metadata: { user_id: 'u1' },
      stream: true,
    });
    expect(anthropicToCanonical(body)).toEqual({
      model: 'claude-x',
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'tu1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tu1', content: 'sunny' },
        { role: 'user', content: [{ type: 'text', text: 'and?' }] },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'w', parameters: { type: 'object' } },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stop: ['END'],
      temperature: 0.2,
      user: 'u1',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('refuses document blocks, which not every provider can serve', () => {
    const body = {
      model: 'c',
      max_tokens: 5,
      messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }],
    };
    expect(anthropicMessagesRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('anthropic compat: canonical → Message', () => {
  it('builds text and tool_use blocks, the stop reason and split usage', () => {
    const completion = makeCompletion(
      { id: 'chatcmpl-1', created: 1, model: 'gpt-4o' },
      {
        role: 'assistant',
        content: 'Sure.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      'tool_calls',
      null,
    );
    expect(
      canonicalToAnthropic(completion, { input_tokens: 10, output_tokens: 4, cached_input_tokens: 3 }),
    ).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 7,
        output_tokens: 4,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 3,
      },
    });
  });

  it('puts errors in Anthropic’s envelope with matching types', () => {
    const rate = new UpstreamError({
      provider: 'openai',
      type: 'rate_limited',
      retryable: true,
      message: 'slow',
    });
    expect(anthropicErrorBody(rate)).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow' },
    });
    expect(anthropicErrorBody(new Error('secret internals'))).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'An internal error occurred.' },
    });
  });
});

describe('anthropic compat: chunks → stream events', () => {
  it('emits the Messages event sequence for text then a tool call', () => {
    const base = { id: 'chatcmpl-9', created: 1, model: 'gpt-4o' };
    const writer = new AnthropicStreamWriter({ id: 'req-1', model: 'claude-x' });
    const events = [
      makeChunk(base, { role: 'assistant', content: '' }),
      makeChunk(base, { content: 'Let me ' }),
      makeChunk(base, { content: 'check.' }),
      makeChunk(base, {
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
      }),
      makeChunk(base, { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      makeChunk(base, { tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      makeChunk(base, {}, 'tool_calls'),
      makeUsageChunk(base, { input_tokens: 9, output_tokens: 5, cached_input_tokens: 0 }),
    ].flatMap((chunk) => writer.push(chunk));
    events.push(...writer.end({ input_tokens: 9, output_tokens: 5, cached_input_tokens: 0 }));
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5]).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
    });
    expect(events[9]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 9,
        output_tokens: 5,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('serializes as named SSE events that parse back', () => {
    const writer = new AnthropicStreamWriter({ id: 'req-1', model: 'claude-x' });
    const text = anthropicSse(writer.end(null));
    const parsed = new SseParser().push(text);
    expect(parsed.map((e) => e.event)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(JSON.parse(parsed[0]?.data ?? '{}')).toMatchObject({
      type: 'message_start',
      message: { id: 'msg_req-1', model: 'claude-x' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  AnthropicStreamWriter,
  anthropicMessagesRequestSchema,
  anthropicToCanonical,
  canonicalToAnthropic,
} from '../../../lib/ai/anthropic-compat.js';
import { makeChunk, makeCompletion } from '../../../lib/ai/chat-builders.js';
import { signatureDelta } from '../../../lib/ai/thinking.js';

const base = { id: 'chatcmpl-1', created: 1, model: 'm' };

describe('anthropic compat: thinking blocks', () => {
  it('keeps thinking and redacted blocks of a request as thinking_blocks, and the thinking parameter', () => {
    const body = anthropicMessagesRequestSchema.parse({
      model: 'claude-x',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'a' },
          ],
        },
      ],
    });
    const canonical = anthropicToCanonical(body);
    expect(canonical.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(canonical.messages[1]).toEqual({
      role: 'assistant',
      content: 'a',
      reasoning_content: 'hmm',
      thinking_blocks: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig-1' },
        { type: 'redacted_thinking', data: 'opaque' },
      ],
    });
  });

  it('refuses a thinking budget under 1024 tokens, as Anthropic does', () => {
    const parsed = anthropicMessagesRequestSchema.safeParse({
      model: 'claude-x',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 100 },
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(parsed.success).toBe(false);
  });

  it('puts thinking first in an answer; reasoning text without a block becomes an unsigned block', () => {
    const signed = makeCompletion(
      base,
      {
        role: 'assistant',
        content: 'a',
        reasoning_content: 'hmm',
        thinking_blocks: [{ type: 'thinking', thinking: 'hmm', signature: 's' }],
      },
      'stop',
      null,
    );
    expect(canonicalToAnthropic(signed, null).content).toEqual([
      { type: 'thinking', thinking: 'hmm', signature: 's' },
      { type: 'text', text: 'a' },
    ]);
    const plain = makeCompletion(
      base,
      { role: 'assistant', content: 'a', reasoning_content: 'r' },
      'stop',
      null,
    );
    expect(canonicalToAnthropic(plain, null).content[0]).toEqual({
      type: 'thinking',
      thinking: 'r',
      signature: '',
    });
  });

  it('streams reasoning as a thinking block closed by its signature, and a redacted block whole', () => {
    const writer = new AnthropicStreamWriter({ id: 'req', model: 'm' });
    const events = [
      makeChunk(base, { role: 'assistant', content: '' }),
      makeChunk(base, { reasoning_content: 'think ' }),
      makeChunk(base, { reasoning_content: 'more' }),
      makeChunk(base, { thinking_blocks: [signatureDelta('sig')] }),
      makeChunk(base, { thinking_blocks: [{ type: 'redacted_thinking', data: 'opaque' }] }),
      makeChunk(base, { content: 'answer' }),
      makeChunk(base, {}, 'stop'),
    ].flatMap((chunk) => writer.push(chunk));
    events.push(
      ...writer.end({ input_tokens: 5, output_tokens: 9, cached_input_tokens: 0, reasoning_tokens: 4 }),
    );
    const shape = events.map((e) =>
      e.type === 'content_block_delta'
        ? `${e.index}:${(e.delta as { type: string }).type}`
        : e.type === 'content_block_start'
          ? `${e.index}:start:${(e.content_block as { type: string }).type}`
          : e.type === 'content_block_stop'
            ? `${e.index}:stop`
            : e.type,
    );
    expect(shape).toEqual([
      'message_start',
      '0:start:thinking',
      '0:thinking_delta',
      '0:thinking_delta',
      '0:signature_delta',
      '0:stop',
      '1:start:redacted_thinking',
      '1:stop',
      '2:start:text',
      '2:text_delta',
      '2:stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.find((e) => e.type === 'message_delta')?.usage).toMatchObject({
      output_tokens: 9,
      output_tokens_details: { thinking_tokens: 4 },
    });
  });
});

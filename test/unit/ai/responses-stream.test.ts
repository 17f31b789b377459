/**
 * Canonical answers → Responses output and events, without a gateway: the event order of text,
 * refusals, reasoning (a provider's `reasoning_content`) and tool calls, a response cut short by the
 * token limit, a failure, and the shapes checked against the official SDK's types.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { makeChunk, makeCompletion } from '../../../lib/ai/chat-builders.js';
import {
  completionOutput,
  type ResponseObject,
  type ResponsesStreamEvent,
  ResponsesStreamWriter,
  responseShell,
} from '../../../lib/ai/responses-compat.js';
import type { ChunkDelta, FinishReason } from '../../../lib/ai/types.js';

const ID = 'resp_01jz0000000000000000000000';
const BASE = { id: 'chatcmpl-1', created: 1, model: 'm' };
const USAGE = { input_tokens: 10, output_tokens: 4, cached_input_tokens: 2 };
const shell = () => responseShell({ model: 'm', input: 'hi' }, { id: ID, createdAt: 100, store: true });

function run(deltas: Array<ChunkDelta & { reasoning_content?: string }>, finish: FinishReason = 'stop') {
  const writer = new ResponsesStreamWriter(shell());
  const events: ResponsesStreamEvent[] = [...writer.start()];
  deltas.forEach((delta, i) => {
    events.push(...writer.push(makeChunk(BASE, delta, i === deltas.length - 1 ? finish : null)));
  });
  const end = writer.end(USAGE, 101);
  events.push(...end.events, writer.completed(end.response));
  return { events, response: end.response };
}
const types = (events: ResponsesStreamEvent[]) => events.map((e) => e.type);

describe('responses stream writer', () => {
  it('streams reasoning, then text, then a tool call, each as its own output item', () => {
    const { events, response } = run(
      [
        { role: 'assistant', reasoning_content: 'Let me ' },
        { reasoning_content: 'think.' },
        { content: 'Calling.' },
        {
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } },
          ],
        },
        { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
      ],
      'tool_calls',
    );
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(response.output.map((item) => [item.type, item.id])).toEqual([
      ['reasoning', 'rs_01jz0000000000000000000000_o0'],
      ['message', 'msg_01jz0000000000000000000000_o1'],
      ['function_call', 'fc_01jz0000000000000000000000_o2'],
    ]);
    expect(response.output[0]).toMatchObject({
      content: [{ type: 'reasoning_text', text: 'Let me think.' }],
    });
    expect(response.output[2]).toMatchObject({
      call_id: 'call_1',
      arguments: '{"a":1}',
      status: 'completed',
    });
    expect(response.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 2, cache_write_tokens: 0 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 14,
    });
    // What was announced is not changed by later deltas.
    expect(events[2]).toMatchObject({ item: { type: 'reasoning', content: [], status: 'in_progress' } });
  });

  it('ends a response cut short by the token limit as incomplete', () => {
    const { events, response } = run([{ content: 'Once upon' }], 'length');
    expect(events.at(-1)?.type).toBe('response.incomplete');
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(response.output[0]?.status).toBe('incomplete');
  });

  it('streams a refusal as refusal deltas within the message', () => {
    const { events, response } = run([{ refusal: "I can't" }, { refusal: ' help.' }]);
    expect(types(events).filter((t) => t.includes('refusal'))).toEqual([
      'response.refusal.delta',
      'response.refusal.delta',
      'response.refusal.done',
    ]);
    expect(response.output[0]).toMatchObject({ content: [{ type: 'refusal', refusal: "I can't help." }] });
  });

  it('gives an empty answer one empty message', () => {
    const { response } = run([{ role: 'assistant', content: '' }]);
    expect(response.output).toEqual([
      expect.objectContaining({
        type: 'message',
        content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
      }),
    ]);
  });

  it('fails with error then response.failed, keeping what was produced', () => {
    const writer = new ResponsesStreamWriter(shell());
    writer.start();
    writer.push(makeChunk(BASE, { content: 'partial' }, null));
    const [error, failed] = writer.fail({ code: 'upstream_timeout', message: 'The provider timed out.' });
    expect(error).toEqual({
      type: 'error',
      code: 'upstream_timeout',
      message: 'The provider timed out.',
      param: null,
      sequence_number: 5,
    });
    expect(failed?.response).toMatchObject({ status: 'failed', error: { code: 'upstream_timeout' } });
  });
});

describe('responses from a complete answer', () => {
  it('has the same output as the stream of the same answer', () => {
    const completion = makeCompletion(
      BASE,
      {
        role: 'assistant',
        content: 'Calling.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      'tool_calls',
      USAGE,
    );
    const streamed = run([
      { content: 'Calling.' },
      {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
        ],
      },
    ]).response;
    expect(completionOutput(completion, ID)).toEqual(streamed.output);
  });

  it('fits the official SDK’s types for output items, usage and events', () => {
    const { events, response } = run([{ content: 'hi' }]);
    const output: OpenAI.Responses.ResponseOutputItem[] = response.output;
    const usage: OpenAI.Responses.ResponseUsage | null = response.usage;
    const sdkEvents = events as unknown as OpenAI.Responses.ResponseStreamEvent[];
    const keptShape: Pick<OpenAI.Responses.Response, 'id' | 'tools' | 'tool_choice' | 'text' | 'metadata'> =
      response satisfies ResponseObject;
    expect([output.length, usage?.total_tokens, sdkEvents.length, keptShape.id]).toEqual([
      1,
      14,
      events.length,
      ID,
    ]);
  });
});

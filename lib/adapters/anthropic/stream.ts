/**
 * Anthropic stream events → canonical chunks.
 *
 * | Anthropic event | chunk |
 * |---|---|
 * | `message_start` | `delta: {role: "assistant", content: ""}` (input usage recorded) |
 * | `content_block_start` `tool_use` | a new `tool_calls[k]` with id and name |
 * | `content_block_delta` `text_delta` | `delta.content` |
 * | `content_block_delta` `input_json_delta` | `tool_calls[k].function.arguments` fragment |
 * | `content_block_delta` `thinking_delta` | `delta.reasoning_content` |
 * | `content_block_delta` `signature_delta` | `delta.thinking_blocks: [{type: "thinking", thinking: "", signature}]` (the block's end) |
 * | `content_block_start` `redacted_thinking` | `delta.thinking_blocks: [{type: "redacted_thinking", data}]` |
 * | `message_delta` | stop reason and cumulative usage recorded |
 * | `message_stop` | the finish chunk (terminal) |
 * | `ping`, block starts/stops of text and thinking | nothing |
 * | `error` | an `UpstreamError` classified by its type (e.g. `overloaded_error` as 529) |
 */
import { ANTHROPIC_ERROR_STATUS, anthropicToFinish } from '../../ai/anthropic-wire.js';
import { type ChunkBase, makeChunk } from '../../ai/chat-builders.js';
import { field, isObject, num, path, str, tryParseJson } from '../../ai/read.js';
import type { SseEvent } from '../../ai/sse.js';
import { signatureDelta } from '../../ai/thinking.js';
import type { ChatCompletionChunk, ChunkDelta } from '../../ai/types.js';
import { inStreamError } from '../../upstream/classify.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatStreamMapper } from '../contract.js';
import { anthropicErrorFacts } from './errors.js';
import {
  ANTHROPIC_COUNT_KEYS,
  type AnthropicCounts,
  anthropicThinkingBlock,
  normalizeAnthropicUsage,
  readAnthropicCounts,
} from './response.js';

const PROVIDER = 'anthropic';

interface State {
  base: ChunkBase;
  /** Content block index → tool call index. */
  tools: Map<number, number>;
  counts: AnthropicCounts;
  stopReason: string | undefined;
  finished: boolean;
}

function merge(into: AnthropicCounts, next: AnthropicCounts): void {
  for (const key of ANTHROPIC_COUNT_KEYS) {
    if (next[key] !== undefined) into[key] = next[key];
  }
}

function blockStart(state: State, data: Record<string, unknown>): ChunkDelta | undefined {
  const block = field(data, 'content_block');
  if (!isObject(block)) return undefined;
  if (block.type === 'redacted_thinking') {
    const redacted = anthropicThinkingBlock(block);
    return redacted === undefined ? undefined : { thinking_blocks: [redacted] };
  }
  if (block.type === 'thinking') {
    const text = str(block.thinking) ?? '';
    return text === '' ? undefined : { reasoning_content: text };
  }
  if (block.type !== 'tool_use') return undefined;
  const index = num(data.index) ?? 0;
  const toolIndex = state.tools.size;
  state.tools.set(index, toolIndex);
  const id = str(field(block, 'id'));
  const name = str(field(block, 'name'));
  if (id === undefined || name === undefined)
    throw badUpstreamResponse(PROVIDER, 'anthropic streamed a malformed tool_use block');
  return { tool_calls: [{ index: toolIndex, id, type: 'function', function: { name, arguments: '' } }] };
}

function blockDelta(state: State, data: Record<string, unknown>): ChunkDelta | undefined {
  const delta = field(data, 'delta');
  const type = field(delta, 'type');
  if (type === 'text_delta') return { content: str(field(delta, 'text')) ?? '' };
  if (type === 'thinking_delta') return { reasoning_content: str(field(delta, 'thinking')) ?? '' };
  if (type === 'signature_delta') {
    const signature = str(field(delta, 'signature'));
    return signature === undefined || signature === ''
      ? undefined
      : { thinking_blocks: [signatureDelta(signature)] };
  }
  if (type !== 'input_json_delta') return undefined;
  const toolIndex = state.tools.get(num(data.index) ?? -1);
  if (toolIndex === undefined)
    throw badUpstreamResponse(PROVIDER, 'anthropic streamed input for an unknown block');
  return {
    tool_calls: [{ index: toolIndex, function: { arguments: str(field(delta, 'partial_json')) ?? '' } }],
  };
}

function step(
  state: State,
  ctx: CallContext,
  data: Record<string, unknown>,
): ChunkDelta | 'finish' | undefined {
  switch (data.type) {
    case 'message_start': {
      const message = field(data, 'message');
      state.base.id = str(field(message, 'id')) ?? state.base.id;
      state.base.model = str(field(message, 'model')) ?? state.base.model;
      merge(state.counts, readAnthropicCounts(field(message, 'usage')));
      return { role: 'assistant', content: '' };
    }
    case 'content_block_start':
      return blockStart(state, data);
    case 'content_block_delta':
      return blockDelta(state, data);
    case 'message_delta':
      state.stopReason = str(path(data, 'delta', 'stop_reason')) ?? state.stopReason;
      merge(state.counts, readAnthropicCounts(field(data, 'usage')));
      return undefined;
    case 'message_stop':
      state.finished = true;
      return 'finish';
    case 'error':
      throw inStreamError({
        provider: PROVIDER,
        facts: anthropicErrorFacts(data),
        statusHint: ANTHROPIC_ERROR_STATUS[str(path(data, 'error', 'type')) ?? ''] ?? 500,
        secrets: [ctx.credential.value],
      });
    default:
      return undefined;
  }
}

/** A fresh mapper for one Anthropic stream. */
export function anthropicStreamMapper(ctx: CallContext): ChatStreamMapper {
  const state: State = {
    base: { id: '', created: Math.floor(ctx.deps.now() / 1000), model: ctx.model },
    tools: new Map(),
    counts: {},
    stopReason: undefined,
    finished: false,
  };
  return {
    map(event: SseEvent): ChatCompletionChunk[] {
      const data = tryParseJson(event.data);
      if (!isObject(data))
        throw badUpstreamResponse(PROVIDER, 'anthropic streamed an event that is not JSON');
      const out = step(state, ctx, data);
      if (out === undefined) return [];
      if (out === 'finish') return [makeChunk(state.base, {}, anthropicToFinish(state.stopReason))];
      return [makeChunk(state.base, out)];
    },
    done: () => state.finished,
    end() {
      throw badUpstreamResponse(PROVIDER, 'anthropic ended the stream before message_stop');
    },
    usage: () => normalizeAnthropicUsage(state.counts),
  };
}

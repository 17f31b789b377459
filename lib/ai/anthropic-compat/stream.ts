/**
 * Canonical chunks → Anthropic stream events, so `/v1/messages` streams from any provider:
 * `message_start`, then per content block `content_block_start` / `content_block_delta`
 * (thinking_delta and signature_delta, text_delta, input_json_delta) / `content_block_stop`, then
 * `message_delta` (stop reason, usage) and `message_stop`. Reasoning text opens a `thinking` block
 * that a signature closes; a redacted block is a start and a stop. Only choice 0 is used (Anthropic
 * has no `n`). Stateful: one writer per stream.
 */

import { anthropicErrorBody } from '../anthropic-errors.js';
import { finishToAnthropic, toAnthropicUsage } from '../anthropic-wire.js';
import { formatSseEvent } from '../sse.js';
import type {
  ChatCompletionChunk,
  FinishReason,
  ReportedUsage,
  ThinkingBlock,
  ToolCallDelta,
} from '../types.js';
import { anthropicMessageId } from './response.js';

/** One Anthropic stream event: the SSE `event:` name equals `data.type`. */
export interface AnthropicStreamEvent {
  type: string;
  [key: string]: unknown;
}

/** Stateful chunk → event translation for one stream (`push` each chunk, then `end` with the usage). */
export class AnthropicStreamWriter {
  private started = false;
  private open: { index: number; kind: 'text' | 'tool' | 'thinking' } | undefined;
  private blocks = 0;
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason | null = null;

  constructor(private readonly fallback: { id: string; model: string }) {}

  /** Events for one canonical chunk (a usage chunk yields none: usage goes into `finish`). */
  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (!this.started) events.push(this.start(chunk));
    const choice = chunk.choices.find((c) => c.index === 0);
    if (choice === undefined) return events;
    const {
      content,
      tool_calls: calls,
      reasoning_content: reasoning,
      thinking_blocks: thinking,
    } = choice.delta;
    if (typeof reasoning === 'string' && reasoning !== '') events.push(...this.reasoning(reasoning));
    for (const block of thinking ?? []) events.push(...this.thinkingEnd(block));
    if (typeof content === 'string' && content !== '') events.push(...this.text(content));
    for (const call of calls ?? []) events.push(...this.tool(call));
    if (choice.finish_reason !== null) this.finish = choice.finish_reason;
    return events;
  }

  /** Closing events: the open block's stop, `message_delta` with stop reason and usage, `message_stop`. */
  end(usage: ReportedUsage): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (!this.started) events.push(this.start(undefined));
    events.push(...this.close());
    const u = toAnthropicUsage(usage);
    events.push({
      type: 'message_delta',
      delta: { stop_reason: finishToAnthropic(this.finish), stop_sequence: null },
      usage: u,
    });
    events.push({ type: 'message_stop' });
    return events;
  }

  /** The `error` event for a failure after the stream started. */
  error(error: unknown): AnthropicStreamEvent {
    return anthropicErrorBody(error);
  }

  private start(chunk: ChatCompletionChunk | undefined): AnthropicStreamEvent {
    this.started = true;
    return {
      type: 'message_start',
      message: {
        id: anthropicMessageId(chunk?.id || this.fallback.id),
        type: 'message',
        role: 'assistant',
        model: chunk?.model || this.fallback.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    };
  }

  private close(): AnthropicStreamEvent[] {
    if (this.open === undefined) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }

  /** Opens a thinking block unless one is open (closing any other block first). */
  private openThinking(): AnthropicStreamEvent[] {
    if (this.open?.kind === 'thinking') return [];
    const events = this.close();
    this.open = { index: this.blocks++, kind: 'thinking' };
    const block = { type: 'thinking', thinking: '', signature: '' };
    events.push({ type: 'content_block_start', index: this.open.index, content_block: block });
    return events;
  }

  /** Reasoning text: into the open thinking block, or a new one. */
  private reasoning(text: string): AnthropicStreamEvent[] {
    const events = this.openThinking();
    const delta = { type: 'thinking_delta', thinking: text };
    events.push({ type: 'content_block_delta', index: this.open!.index, delta });
    return events;
  }

  /** A block's end: the signature closes the thinking block (opened if none is); a redacted block is whole. */
  private thinkingEnd(block: ThinkingBlock): AnthropicStreamEvent[] {
    if (block.type === 'redacted_thinking') {
      const events = this.close();
      const index = this.blocks++;
      const start = { type: 'redacted_thinking', data: block.data };
      events.push({ type: 'content_block_start', index, content_block: start });
      events.push({ type: 'content_block_stop', index });
      return events;
    }
    const events = block.thinking === '' ? this.openThinking() : this.reasoning(block.thinking);
    const index = this.open!.index;
    if (block.signature !== undefined && block.signature !== '') {
      events.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'signature_delta', signature: block.signature },
      });
    }
    events.push(...this.close());
    return events;
  }

  private text(text: string): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (this.open?.kind !== 'text') {
      events.push(...this.close());
      this.open = { index: this.blocks++, kind: 'text' };
      events.push({
        type: 'content_block_start',
        index: this.open.index,
        content_block: { type: 'text', text: '' },
      });
    }
    events.push({ type: 'content_block_delta', index: this.open.index, delta: { type: 'text_delta', text } });
    return events;
  }

  private tool(call: ToolCallDelta): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    let index = this.toolBlocks.get(call.index);
    if (index === undefined) {
      events.push(...this.close());
      index = this.blocks++;
      this.toolBlocks.set(call.index, index);
      this.open = { index, kind: 'tool' };
      const block = {
        type: 'tool_use',
        id: call.id ?? `toolu_${index}`,
        name: call.function?.name ?? '',
        input: {},
      };
      events.push({ type: 'content_block_start', index, content_block: block });
    }
    const fragment = call.function?.arguments;
    if (fragment !== undefined && fragment !== '') {
      events.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: fragment },
      });
    }
    return events;
  }
}

/** Serializes events as SSE (`event: <type>` + `data: <json>`). */
export function anthropicSse(events: readonly AnthropicStreamEvent[]): string {
  return events.map((event) => formatSseEvent({ event: event.type, data: JSON.stringify(event) })).join('');
}

/**
 * Canonical chunks → the Responses event stream, so `/v1/responses` streams from any provider:
 * `response.created`, `response.in_progress`; per output item `response.output_item.added`, its
 * content (`response.content_part.added`, `response.output_text.delta` … `.done`,
 * `response.content_part.done`; or `response.function_call_arguments.delta` … `.done`; or the
 * `response.reasoning_text.*` events), `response.output_item.done`; then `response.completed` (or
 * `response.incomplete`) carrying usage, or `error` and `response.failed`. Every event has a
 * `sequence_number` from 0. Only choice 0 is used. Stateful: one writer per stream.
 */
import { formatSseEvent } from '../sse.js';
import type { ChatCompletionChunk, FinishReason, ReportedUsage, ToolCallDelta } from '../types.js';
import {
  type FunctionCallItem,
  itemIdFor,
  type OutputItem,
  type OutputMessageItem,
  type ReasoningItem,
} from './items.js';
import { emptyMessage, finishResponse, type ResponseObject, reasoningText, statusOf } from './response.js';

/** One event of the stream: the SSE `event:` name equals `type`. */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

type Event = { type: string; [key: string]: unknown };
type Part = 'output_text' | 'refusal';
type Open =
  | { kind: 'message'; index: number; item: OutputMessageItem; part?: Part }
  | { kind: 'reasoning'; index: number; item: ReasoningItem }
  | { kind: 'call'; index: number; item: FunctionCallItem };

const copy = <T>(value: T): T => structuredClone(value);

/** Stateful chunk → event translation of one response's stream. */
export class ResponsesStreamWriter {
  private sequence = 0;
  private readonly output: OutputItem[] = [];
  private open: Open | undefined;
  private readonly calls = new Map<number, FunctionCallItem>();
  private finish: FinishReason | null = null;

  /** @param shell - the response in progress ({@link responseShell}). */
  constructor(private readonly shell: ResponseObject) {}

  /** `response.created` and `response.in_progress`. */
  start(): ResponsesStreamEvent[] {
    const snapshot = copy(this.shell);
    return this.stamp([
      { type: 'response.created', response: snapshot },
      { type: 'response.in_progress', response: snapshot },
    ]);
  }

  /** The events of one canonical chunk (usage chunks add none). */
  push(chunk: ChatCompletionChunk): ResponsesStreamEvent[] {
    const choice = chunk.choices.find((c) => c.index === 0);
    if (choice === undefined) return [];
    const events: Event[] = [];
    const reasoning = reasoningText(choice.delta);
    if (reasoning !== undefined) events.push(...this.reasoning(reasoning));
    const { content, refusal, tool_calls: calls } = choice.delta;
    if (typeof content === 'string' && content !== '') events.push(...this.text('output_text', content));
    if (typeof refusal === 'string' && refusal !== '') events.push(...this.text('refusal', refusal));
    for (const call of calls ?? []) events.push(...this.call(call));
    if (choice.finish_reason !== null) this.finish = choice.finish_reason;
    return this.stamp(events);
  }

  /**
   * Closes the open item and returns the finished response (status, output, usage) with the events
   * that closed it; send {@link completed} with the response once it is stored (or not).
   *
   * @param completedAt - epoch seconds.
   */
  end(
    usage: ReportedUsage,
    completedAt: number,
  ): { events: ResponsesStreamEvent[]; response: ResponseObject } {
    const events = this.close();
    if (this.output.length === 0) {
      const status = statusOf(this.finish).status === 'completed' ? 'completed' : 'incomplete';
      const item = emptyMessage(this.itemId('msg'), status);
      this.output.push(item);
      events.push({
        type: 'response.output_item.added',
        output_index: 0,
        item: { ...copy(item), content: [] },
      });
      events.push({ type: 'response.output_item.done', output_index: 0, item: copy(item) });
    }
    const response = finishResponse(this.shell, {
      output: this.output,
      finish: this.finish,
      usage,
      completedAt,
    });
    return { events: this.stamp(events), response };
  }

  /** The last event: `response.completed`, or `response.incomplete` when generation was cut short. */
  completed(response: ResponseObject): ResponsesStreamEvent {
    const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    return this.stamp([{ type, response }])[0]!;
  }

  /** `error`, then `response.failed` with what was produced so far. */
  fail(error: { code: string; message: string }): ResponsesStreamEvent[] {
    const response: ResponseObject = {
      ...this.shell,
      status: 'failed',
      error,
      output: this.output.map((item) => ({ ...item, status: 'incomplete' as const })),
    };
    return this.stamp([
      { type: 'error', code: error.code, message: error.message, param: null },
      { type: 'response.failed', response },
    ]);
  }

  private stamp(events: Event[]): ResponsesStreamEvent[] {
    return events.map((event) => ({ ...event, type: event.type, sequence_number: this.sequence++ }));
  }

  private itemId(prefix: string): string {
    return itemIdFor(this.shell.id, prefix, 'o', this.output.length);
  }

  /** Adds an output item and announces it (a copy: later deltas must not change what was sent). */
  private add(open: Open): Event {
    this.open = open;
    this.output.push(open.item);
    const announced = open.kind === 'call' ? copy(open.item) : { ...copy(open.item), content: [] };
    return { type: 'response.output_item.added', output_index: open.index, item: announced };
  }

  private close(): Event[] {
    const open = this.open;
    if (open === undefined) return [];
    this.open = undefined;
    const events: Event[] = [];
    const status =
      this.finish === null || statusOf(this.finish).status === 'completed' ? 'completed' : 'incomplete';
    const at = { item_id: open.item.id, output_index: open.index };
    if (open.kind === 'message') events.push(...this.closePart(open));
    if (open.kind === 'reasoning') {
      const part = open.item.content![0]!;
      events.push({ type: 'response.reasoning_text.done', ...at, content_index: 0, text: part.text });
      events.push({ type: 'response.content_part.done', ...at, content_index: 0, part: copy(part) });
    }
    if (open.kind === 'call') {
      const { name, arguments: args } = open.item;
      events.push({ type: 'response.function_call_arguments.done', ...at, name, arguments: args });
    }
    open.item.status = open.kind === 'message' ? status : 'completed';
    events.push({ type: 'response.output_item.done', output_index: open.index, item: copy(open.item) });
    return events;
  }

  private closePart(open: Extract<Open, { kind: 'message' }>): Event[] {
    if (open.part === undefined) return [];
    const content_index = open.item.content.length - 1;
    const part = open.item.content[content_index]!;
    const at = { item_id: open.item.id, output_index: open.index, content_index };
    open.part = undefined;
    const done =
      part.type === 'output_text'
        ? { type: 'response.output_text.done', ...at, text: part.text, logprobs: [] }
        : { type: 'response.refusal.done', ...at, refusal: part.refusal };
    return [done, { type: 'response.content_part.done', ...at, part: copy(part) }];
  }

  private text(kind: Part, delta: string): Event[] {
    const events: Event[] = [];
    let open = this.open;
    if (open?.kind !== 'message') {
      events.push(...this.close());
      const item: OutputMessageItem = {
        id: this.itemId('msg'),
        type: 'message',
        role: 'assistant',
        content: [],
        status: 'in_progress',
      };
      open = { kind: 'message', index: this.output.length, item };
      events.push(this.add(open));
    }
    if (open.part !== kind) {
      events.push(...this.closePart(open));
      const part =
        kind === 'output_text'
          ? { type: 'output_text' as const, text: '', annotations: [], logprobs: [] }
          : { type: 'refusal' as const, refusal: '' };
      open.item.content.push(part);
      open.part = kind;
      const at = {
        item_id: open.item.id,
        output_index: open.index,
        content_index: open.item.content.length - 1,
      };
      events.push({ type: 'response.content_part.added', ...at, part: copy(part) });
    }
    const content_index = open.item.content.length - 1;
    const part = open.item.content[content_index]!;
    const at = { item_id: open.item.id, output_index: open.index, content_index };
    if (part.type === 'output_text') {
      part.text += delta;
      events.push({ type: 'response.output_text.delta', ...at, delta, logprobs: [] });
    } else {
      part.refusal += delta;
      events.push({ type: 'response.refusal.delta', ...at, delta });
    }
    return events;
  }

  private reasoning(delta: string): Event[] {
    const events: Event[] = [];
    let open = this.open;
    if (open?.kind !== 'reasoning') {
      events.push(...this.close());
      const item: ReasoningItem = {
        id: this.itemId('rs'),
        type: 'reasoning',
        summary: [],
        content: [{ type: 'reasoning_text', text: '' }],
        status: 'in_progress',
      };
      open = { kind: 'reasoning', index: this.output.length, item };
      events.push(this.add(open));
      const at = { item_id: item.id, output_index: open.index, content_index: 0 };
      events.push({ type: 'response.content_part.added', ...at, part: { type: 'reasoning_text', text: '' } });
    }
    open.item.content![0]!.text += delta;
    const at = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    events.push({ type: 'response.reasoning_text.delta', ...at, delta });
    return events;
  }

  private call(delta: ToolCallDelta): Event[] {
    const events: Event[] = [];
    let item = this.calls.get(delta.index);
    if (item === undefined) {
      events.push(...this.close());
      const index = this.output.length;
      item = {
        id: this.itemId('fc'),
        type: 'function_call',
        call_id: delta.id ?? `call_${this.shell.id.slice(5)}_${index}`,
        name: delta.function?.name ?? '',
        arguments: '',
        status: 'in_progress',
      };
      this.calls.set(delta.index, item);
      events.push(this.add({ kind: 'call', index, item }));
    }
    const fragment = delta.function?.arguments;
    if (fragment === undefined || fragment === '') return events;
    item.arguments += fragment;
    // A late fragment of a call already closed joins its arguments without an event of its own.
    if (this.open?.kind === 'call' && this.open.item === item) {
      const output_index = this.output.indexOf(item);
      events.push({
        type: 'response.function_call_arguments.delta',
        item_id: item.id,
        output_index,
        delta: fragment,
      });
    }
    return events;
  }
}

/** Serializes events as SSE (`event: <type>` + `data: <json>`). */
export function responsesSse(events: readonly ResponsesStreamEvent[]): string {
  return events.map((event) => formatSseEvent({ event: event.type, data: JSON.stringify(event) })).join('');
}

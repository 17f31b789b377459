/**
 * The stream the service layer hands to the endpoint: canonical `chat.completion.chunk`s, with the
 * usage chunk appended when the caller asked for `stream_options.include_usage`. It is opened by
 * reading the first chunk, so every failure before the first byte (connect, status, first-event
 * error, stall before the first token) rejects `open` and can fail over; later failures surface from
 * the iterator, after bytes went out, where only an error event is possible.
 */
import { type ChunkBase, makeUsageChunk } from '../ai/chat-builders.js';
import type { ChatCompletionChunk, FinishReason, ReportedUsage } from '../ai/types.js';
import type { AdapterChatStream } from './contract.js';

/** What a finished stream reports. */
export interface ChatStreamResult {
  /** As reported by the provider; `null` when it reported none (never estimated here). */
  usage: ReportedUsage;
  finish_reason: FinishReason | null;
  /** Chunks delivered, the usage chunk excluded. */
  chunks: number;
}

/** A provider stream as canonical chunks; iterate once, then read {@link ChatStream.result}. */
export class ChatStream implements AsyncIterable<ChatCompletionChunk> {
  private finished: ChatStreamResult | undefined;
  private started = false;
  /** Text the client was sent (content, reasoning, tool arguments), to count an abandoned stream. */
  private readonly produced: string[] = [];

  private constructor(
    private readonly source: AdapterChatStream,
    private readonly first: IteratorResult<ChatCompletionChunk, void>,
    private readonly includeUsage: boolean,
  ) {}

  /**
   * Opens a stream by reading its first chunk.
   *
   * @throws UpstreamError whatever the adapter throws before its first chunk.
   */
  static async open(source: AdapterChatStream, includeUsage: boolean): Promise<ChatStream> {
    const first = await source.chunks.next();
    return new ChatStream(source, first, includeUsage);
  }

  /** Usage and finish reason once the iteration ended normally; `undefined` before. */
  get result(): ChatStreamResult | undefined {
    return this.finished;
  }

  /**
   * What the stream produced before it stopped early (the client left, or it broke): the usage the
   * provider had reported so far (`null`: none), and the text delivered, for counting its tokens.
   */
  partial(): { usage: ReportedUsage; text: string } {
    let usage: ReportedUsage = null;
    try {
      usage = this.source.usage();
    } catch {
      // an adapter that cannot report before its end: none reported
    }
    return { usage, text: this.produced.join('') };
  }

  /** Stops reading and releases the upstream connection (idempotent); call it when the client left. */
  async close(): Promise<void> {
    await this.source.chunks.return(undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk, void> {
    if (this.started) throw new Error('a ChatStream can be iterated once');
    this.started = true;
    let count = 0;
    let finish: FinishReason | null = null;
    let base: ChunkBase | undefined;
    try {
      for (let next = this.first; !next.done; next = await this.source.chunks.next()) {
        const chunk = next.value;
        base = { id: chunk.id, created: chunk.created, model: chunk.model };
        finish = chunk.choices.find((c) => c.finish_reason !== null)?.finish_reason ?? finish;
        count++;
        for (const choice of chunk.choices) {
          const d = choice.delta;
          if (d.content) this.produced.push(d.content);
          if (d.reasoning_content) this.produced.push(d.reasoning_content);
          for (const call of d.tool_calls ?? [])
            if (call.function?.arguments) this.produced.push(call.function.arguments);
        }
        yield chunk;
      }
    } finally {
      await this.source.chunks.return(undefined);
    }
    const usage = this.source.usage();
    if (this.includeUsage && base !== undefined) yield makeUsageChunk(base, usage);
    this.finished = { usage, finish_reason: finish, chunks: count };
  }
}

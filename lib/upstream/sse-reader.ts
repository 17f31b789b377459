/**
 * Turns a streaming upstream body into SSE events, bounded per event and in total. The generator owns
 * the connection: finishing, failing or being abandoned (`return()`) destroys the body and disarms
 * the budget, so an early client disconnect never leaks a socket.
 */
import type { Readable } from 'node:stream';
import { type SseEvent, SseLimitError, SseParser } from '../ai/sse.js';
import type { ArmedBudget } from './budget.js';
import { badUpstreamResponse } from './errors.js';
import { normalizeTransportError } from './transport-errors.js';

/** Options of {@link readSse}. */
export interface SseReadOptions {
  provider: string;
  budget: ArmedBudget;
  /** Cap on the whole stream, in bytes. */
  maxTotalBytes: number;
  /** Cap on one line and on one event's data, in characters. */
  maxEventChars: number;
}

/** What {@link readSse} reports when the stream ends: whether it stopped mid-line. */
export interface SseEnd {
  truncated: boolean;
}

/**
 * Yields each event of `body` as it completes; returns {@link SseEnd} when the upstream closes.
 *
 * @throws UpstreamError `bad_upstream_response` past a bound; `timeout` on a stall (no bytes for the
 *   budget's idle time) or at the deadline; `connect_error` when the connection breaks.
 */
export async function* readSse(body: Readable, options: SseReadOptions): AsyncGenerator<SseEvent, SseEnd> {
  const { provider, budget } = options;
  const parser = new SseParser({ maxLineChars: options.maxEventChars, maxEventChars: options.maxEventChars });
  const decoder = new TextDecoder();
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > options.maxTotalBytes) {
        throw badUpstreamResponse(provider, `${provider} streamed more than ${options.maxTotalBytes} bytes`);
      }
      // Not `yield*`: in an async generator it costs promise turns per piece even when the piece
      // completes no event, which is most pieces of a stream split small (see bench/sse-parse.mjs).
      for (const event of parser.push(decoder.decode(chunk, { stream: true }))) yield event;
    }
    yield* parser.push(decoder.decode());
    const end = parser.end();
    yield* end.events;
    return { truncated: end.truncated };
  } catch (error) {
    if (error instanceof SseLimitError)
      throw badUpstreamResponse(provider, `${provider}: ${error.message}`, error);
    throw normalizeTransportError(error, provider, budget, 'body');
  } finally {
    body.destroy();
    budget.dispose();
  }
}

/**
 * Bounded reading of upstream bodies. An upstream is untrusted: a body larger than the cap is cut off
 * (the connection is destroyed, not drained) and reported as `bad_upstream_response`; a body that
 * should be JSON but is not (HTML error pages, truncated JSON) is named as such, never echoed.
 */
import type { Readable } from 'node:stream';
import type { ArmedBudget } from './budget.js';
import { badUpstreamResponse } from './errors.js';
import { normalizeTransportError } from './transport-errors.js';

function contentLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['content-length'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** The error of a body past the cap. */
const tooLarge = (provider: string, maxBytes: number) =>
  badUpstreamResponse(provider, `${provider} sent a response larger than ${maxBytes} bytes`);

/** Whether the body's `content-length` already says it is past the cap. */
const declaredTooLarge = (headers: Record<string, string | string[] | undefined>, maxBytes: number) =>
  (contentLength(headers) ?? 0) > maxBytes;

/**
 * Reads a whole body, refusing more than `maxBytes`.
 *
 * @throws UpstreamError `bad_upstream_response` past the cap (checked against `content-length`
 *   first, then while reading); a transport error while reading, normalized.
 */
export async function readBounded(
  body: Readable,
  headers: Record<string, string | string[] | undefined>,
  options: { provider: string; maxBytes: number; budget: ArmedBudget },
): Promise<Buffer> {
  const { provider, maxBytes, budget } = options;
  if (declaredTooLarge(headers, maxBytes)) {
    body.destroy();
    throw tooLarge(provider, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        body.destroy();
        throw tooLarge(provider, maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw normalizeTransportError(error, provider, budget, 'body');
  }
  return Buffer.concat(chunks, total);
}

/**
 * Yields a streaming body's bytes as they arrive, refusing more than `maxBytes` in total. The
 * generator owns the connection: finishing, failing or being abandoned (`return()`) destroys the
 * body and disarms the budget, so a client that leaves never leaks a socket.
 *
 * @throws UpstreamError `bad_upstream_response` past the cap; `timeout` on a stall or at the
 *   deadline; `connect_error` when the connection breaks.
 */
export async function* readByteStream(
  body: Readable,
  headers: Record<string, string | string[] | undefined>,
  options: { provider: string; maxBytes: number; budget: ArmedBudget },
): AsyncGenerator<Uint8Array, void> {
  const { provider, maxBytes, budget } = options;
  try {
    if (declaredTooLarge(headers, maxBytes)) throw tooLarge(provider, maxBytes);
    let total = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxBytes) throw tooLarge(provider, maxBytes);
        yield chunk;
      }
    } catch (error) {
      throw normalizeTransportError(error, provider, budget, 'body');
    }
  } finally {
    body.destroy();
    budget.dispose();
  }
}

/**
 * Reads at most `maxBytes` of an error body and drops the rest (error bodies are only for
 * classification, so truncation is harmless). Never throws: a broken read yields what arrived.
 */
export async function readErrorBody(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= maxBytes) break;
    }
  } catch {
    // A reset while reading an error body still leaves the status to classify.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, total).subarray(0, maxBytes).toString('utf8');
}

/**
 * Parses a JSON body.
 *
 * @throws UpstreamError `bad_upstream_response` when the body is empty, HTML or otherwise not JSON.
 */
export function parseJsonBody(body: Buffer, provider: string): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const looksHtml = /^\s*</.test(text);
    throw badUpstreamResponse(
      provider,
      looksHtml
        ? `${provider} answered with HTML instead of JSON`
        : `${provider} answered with a body that is not valid JSON`,
      error,
    );
  }
}

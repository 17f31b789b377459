import { Readable } from 'node:stream';
import { type ChatInvocation, type ChatStream, invokeChat } from '../../adapters/index.js';
import { formatSseEvent, SSE_DONE } from '../../ai/sse.js';
import type { ChatCompletionChunk, ChatCompletionRequest, NormalizedUsage } from '../../ai/types.js';
import type { HandlerRequest } from '../../http/handler.js';
import { Reply } from '../../http/handler.js';
import { errorResponse } from '../../http/response.js';
import { chatShape } from '../../services/ai/bounds.js';
import { gatewayHeaders } from '../../services/ai/headers.js';
import { chatNeeds } from '../../services/ai/needs.js';
import { type AiRun, runAi } from '../../services/ai/pipeline.js';
import { chatCodec } from '../../services/cache/codecs.js';
import type { CachedOperation } from '../../services/cache/request-key.js';
import { deadlineFromRemaining } from '../../services/routing/index.js';

type ChatRequest = HandlerRequest<ChatCompletionRequest, unknown, unknown>;

/** Serves a chat completion over the route's providers: JSON, or an SSE stream when asked. */
export async function serveChat(request: ChatRequest): Promise<Reply> {
  const run = await runChat(request, request.body, 'chat');
  const headers = gatewayHeaders(run, request.receivedAt);
  const value = run.value;
  if (value.stream === false) {
    await run.finish(value.usage, 'success');
    return new Reply(200, value.response, headers);
  }
  const body = Readable.from(streamBody(run, value.stream, chatFront(request.requestId), request.signal));
  return new Reply(200, body, { ...headers, ...SSE_HEADERS });
}

/**
 * Routes and calls a canonical chat request (shared by `/v1/messages` and `/v1/responses`), through
 * the response cache under `operation` (each front keeps and replays its own entries).
 */
export function runChat(
  request: ChatRequest,
  body: ChatCompletionRequest,
  operation: CachedOperation,
): Promise<AiRun<ChatInvocation>> {
  const { needs, inputTokens } = chatNeeds(body);
  const { deps } = request;
  // The caller's tags belong to the request log, never to the upstream.
  const { metadata: _tags, ...upstreamBody } = body;
  return runAi<ChatInvocation>({
    deps,
    principal: request.principal,
    serviceType: 'llm',
    usageKind: 'llm',
    model: body.model,
    needs,
    shape: chatShape(body),
    inputTokens,
    stream: body.stream === true,
    afterResponse: request.afterResponse,
    cache: {
      operation,
      body: body as Record<string, unknown>,
      streamed: body.stream === true,
      headers: request.headers,
      codec: chatCodec,
    },
    log: request.log,
    deadlineMs: deadlineFromRemaining(deps.now(), request.context.getRemainingTimeInMillis()),
    invoke: (candidate, ticket, signal) =>
      invokeChat({
        provider: candidate.provider,
        model: candidate.modelId,
        request: { ...upstreamBody, model: candidate.modelId },
        credential: ticket.credential,
        deps: deps.upstream,
        deadline: deadlineFromRemaining(deps.now(), request.context.getRemainingTimeInMillis()),
        // A client that hangs up mid-stream ends the upstream read too (the stream then settles).
        signal: AbortSignal.any([signal, request.signal]),
      }),
  });
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** How one front writes a chat stream: its events for each chunk, its end and a failure. */
export interface StreamFront {
  /** The first event, sent before any chunk (a Responses stream's `response.created`). */
  start?(): string;
  /** The events of one chunk; `''` sends nothing. */
  chunk(chunk: ChatCompletionChunk): string;
  /** The last events, once the upstream ended; prepared before the books close, sent after. */
  end(usage: NormalizedUsage | null): Promise<string>;
  /** The events of an upstream failure after the first byte (no failover is possible then). */
  error(error: unknown): string;
}

/**
 * The body of a streamed chat in any front's wire format. Usage is recorded (durably) from the
 * stream's final report before the last events, so a client that has the end has been counted; as
 * an error when the upstream breaks; as `cancelled`, with what was streamed, when the client leaves
 * (a hang-up thrown in at a yield, or one that aborted the upstream read, which then ends).
 */
export async function* streamBody(
  run: AiRun<ChatInvocation>,
  stream: ChatStream,
  front: StreamFront,
  hangup: AbortSignal,
): AsyncGenerator<string> {
  let completed = false;
  let failed = false;
  let delivering = false;
  try {
    if (front.start) {
      delivering = true;
      yield front.start();
      delivering = false;
    }
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      const events = front.chunk(chunk);
      delivering = true;
      if (events) yield events;
      delivering = false;
    }
    if (hangup.aborted) return;
    completed = true;
    const usage = stream.result?.usage ?? null;
    const last = await front.end(usage);
    await run.finish(usage, 'success');
    yield last;
  } catch (error) {
    // Thrown in at a yield: the response stream was destroyed (the client left), not the upstream.
    if (delivering) throw error;
    if (hangup.aborted) return;
    failed = true;
    yield front.error(error);
  } finally {
    if (!completed) {
      // Cancel the upstream call, then close the books as an error (it broke) or as `cancelled`.
      await stream.close().catch(() => undefined);
      if (failed) await run.finish(stream.result?.usage ?? null, 'error');
      else await run.cancelled(stream.partial());
    }
  }
}

/** The OpenAI chat front: each chunk as a data event, then `[DONE]`; a failure in our envelope. */
function chatFront(requestId: string): StreamFront {
  return {
    chunk: (chunk) => formatSseEvent({ data: JSON.stringify(chunk) }),
    end: async () => SSE_DONE,
    error: (error) => formatSseEvent({ data: errorResponse(error, requestId).body }),
  };
}

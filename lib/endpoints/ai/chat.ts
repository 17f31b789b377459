import { Readable } from 'node:stream';
import { type ChatInvocation, type ChatStream, invokeChat } from '../../adapters/index.js';
import { formatSseEvent, SSE_DONE } from '../../ai/sse.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../ai/types.js';
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
  const body = Readable.from(sseEvents(run, value.stream, request.requestId, request.signal));
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

/**
 * The end of a stream that did not complete: the upstream call is cancelled, then the books are
 * closed as an error (it broke) or as `cancelled` (the client left: what was produced is counted).
 */
export async function closeEarly(
  run: AiRun<ChatInvocation>,
  stream: ChatStream,
  state: { completed: boolean; failed: boolean },
): Promise<void> {
  if (state.completed) return;
  await stream.close().catch(() => undefined);
  if (state.failed) await run.finish(stream.result?.usage ?? null, 'error');
  else await run.cancelled(stream.partial());
}

/**
 * The SSE body of a streamed chat: each chunk as it arrives, then `[DONE]`. An upstream failure
 * after the first byte can no longer fail over: it becomes an error event in our envelope. Usage
 * is recorded from the stream's final report before `[DONE]`, as an error when it breaks, and as
 * `cancelled` with what was streamed when the client leaves.
 */
async function* sseEvents(
  run: AiRun<ChatInvocation>,
  stream: ChatStream,
  requestId: string,
  hangup: AbortSignal,
): AsyncGenerator<string> {
  let completed = false;
  let failed = false;
  let delivering = false;
  try {
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      delivering = true;
      yield formatSseEvent({ data: JSON.stringify(chunk) });
      delivering = false;
    }
    // The client left (its hang-up aborted the upstream read, which then ends): counted as cancelled.
    if (hangup.aborted) return;
    completed = true;
    // Counted (durably) before the last event: a client that has `[DONE]` has been counted.
    await run.finish(stream.result?.usage ?? null, 'success');
    yield SSE_DONE;
  } catch (error) {
    // Thrown in at a yield: the response stream was destroyed (the client left), not the upstream.
    if (delivering) throw error;
    if (hangup.aborted) return;
    failed = true;
    yield formatSseEvent({ data: errorResponse(error, requestId).body });
  } finally {
    await closeEarly(run, stream, { completed, failed });
  }
}

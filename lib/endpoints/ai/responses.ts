import { Readable } from 'node:stream';
import {
  type ConversationItem,
  completionOutput,
  finishResponse,
  keptInput,
  type ResponseObject,
  type ResponsesRequest,
  ResponsesStreamWriter,
  responseShell,
  responsesSse,
  responsesToCanonical,
} from '../../ai/responses-compat.js';
import { type HandlerRequest, Reply } from '../../http/handler.js';
import { errorResponse } from '../../http/response.js';
import { newId } from '../../ids.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { gatewayHeaders } from '../../services/ai/headers.js';
import { previousItems, resolveReferences } from '../../services/responses/conversation.js';
import { saveResponse } from '../../services/responses/store.js';
import { runChat, SSE_HEADERS, type StreamFront, streamBody } from './chat.js';

type ResponsesHttpRequest = HandlerRequest<ResponsesRequest, unknown, unknown>;

/** Why a response asked to be stored was not: it is answered in `x-gateway-store-skipped`. */
type Skipped = 'too_large' | 'storage_error';

/** What one response keeps and how. */
interface Keeper {
  deps: Gateway;
  ownerKeyId: string;
  wanted: boolean;
  context: ConversationItem[];
}

/** Stores a finished response when it was asked to be; never throws (the answer is already made). */
async function keep(keeper: Keeper, response: ResponseObject): Promise<Skipped | 'stored' | 'not_asked'> {
  if (!keeper.wanted) return 'not_asked';
  try {
    const record = { response: { ...response, store: true }, context: keeper.context };
    return (await saveResponse(keeper.deps, record, keeper.ownerKeyId)) ? 'stored' : 'too_large';
  } catch (error) {
    logger.error('response not stored', { error: describeError(error) });
    return 'storage_error';
  }
}

const seconds = (deps: Gateway) => Math.floor(deps.now() / 1000);

/**
 * The OpenAI Responses API (`POST /v1/responses`) served by any provider: the conversation (the
 * previous response's items, then the input with references resolved) becomes a canonical chat
 * request routed like any chat; the answer becomes a `Response` or its event stream, stored for the
 * caller's key unless `store` is false.
 */
export async function serveResponses(request: ResponsesHttpRequest): Promise<Reply> {
  const { body, deps, principal } = request;
  const id = newId('resp', deps.now());
  const createdAt = seconds(deps);
  const history = await previousItems(deps, principal, body.previous_response_id);
  const input = await resolveReferences(deps, principal, keptInput(body.input ?? [], id));
  const context = [...history, ...input];
  const run = await runChat(request as never, responsesToCanonical(body, context), 'responses');
  const keeper: Keeper = { deps, ownerKeyId: principal.keyId, wanted: body.store !== false, context };
  const shell = responseShell(body, { id, createdAt, store: keeper.wanted });
  const value = run.value;
  if (value.stream === false) {
    await run.finish(value.usage, 'success');
    const response = finishResponse(shell, {
      output: completionOutput(value.response, id),
      finish: value.response.choices[0]?.finish_reason ?? null,
      usage: value.usage,
      completedAt: seconds(deps),
    });
    const kept = await keep(keeper, response);
    const skipped: Record<string, string> =
      kept === 'too_large' || kept === 'storage_error' ? { 'x-gateway-store-skipped': kept } : {};
    // After storing: the overhead header counts the write the caller waited for.
    const headers = gatewayHeaders(run, request.receivedAt);
    return new Reply(200, { ...response, store: kept === 'stored' }, { ...headers, ...skipped });
  }
  const writer = new ResponsesStreamWriter(shell);
  const events = streamBody(
    run,
    value.stream,
    responsesFront(writer, keeper, request.requestId),
    request.signal,
  );
  return new Reply(200, Readable.from(events), {
    ...gatewayHeaders(run, request.receivedAt),
    ...SSE_HEADERS,
  });
}

/** `{code, message}` of an error, as the gateway's envelope shows it (nothing internal). */
function errorFacts(error: unknown, requestId: string): { code: string; message: string } {
  const body = JSON.parse(errorResponse(error, requestId).body) as {
    error: { code: string; message: string };
  };
  return { code: body.error.code, message: body.error.message };
}

/**
 * The Responses front. The response is stored before `response.completed` goes out, so a client
 * that reads that event can retrieve or continue it at once. An upstream failure after the first
 * byte becomes `error` and `response.failed`.
 */
function responsesFront(writer: ResponsesStreamWriter, keeper: Keeper, requestId: string): StreamFront {
  return {
    start: () => responsesSse(writer.start()),
    chunk: (chunk) => {
      const events = writer.push(chunk);
      return events.length > 0 ? responsesSse(events) : '';
    },
    async end(usage) {
      const { events, response } = writer.end(usage, seconds(keeper.deps));
      const kept = await keep(keeper, response);
      return responsesSse([...events, writer.completed({ ...response, store: kept === 'stored' })]);
    },
    error: (error) => responsesSse(writer.fail(errorFacts(error, requestId))),
  };
}

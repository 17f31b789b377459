/**
 * Runs a declarative {@link HttpProviderSpec} over the shared HTTP client: builds the URL from the
 * checked base URL, adds auth, serializes the body, maps non-2xx answers through the provider's error
 * reader and the shared failover table, and drives the stateful stream mapper.
 */
import type { SseEvent } from '../ai/sse.js';
import type { ChatCompletionChunk } from '../ai/types.js';
import { upstreamStatusError } from '../upstream/classify.js';
import { misconfigured } from '../upstream/errors.js';
import type { HttpCall } from '../upstream/http-client.js';
import { joinUrl } from '../upstream/url.js';
import type {
  AdapterChatStream,
  CallContext,
  ChatOperation,
  ChatStreamMapper,
  HttpChatWire,
  HttpProviderSpec,
  HttpWire,
  Operation,
  ProviderAdapter,
  StreamedBody,
  WireRequest,
} from './contract.js';

/** Builds the {@link HttpCall} for one wire request. */
export function buildHttpCall(spec: HttpProviderSpec, ctx: CallContext, wire: WireRequest): HttpCall {
  if (ctx.baseUrl === undefined) throw misconfigured(spec.type, `${spec.type} provider has no base_url`);
  const headers: Record<string, string> = { ...spec.authHeaders(ctx), ...wire.headers };
  let body: string | Uint8Array | undefined;
  if (wire.json !== undefined) {
    body = JSON.stringify(wire.json);
    headers['content-type'] = 'application/json';
  } else if (wire.raw !== undefined) {
    body = wire.raw.body;
    headers['content-type'] = wire.raw.contentType;
  }
  return {
    provider: spec.type,
    url: joinUrl(ctx.baseUrl, wire.path, wire.query),
    method: wire.method ?? 'POST',
    headers,
    body,
    budget: ctx.budget,
    ...(wire.maxResponseBytes === undefined ? {} : { maxResponseBytes: wire.maxResponseBytes }),
    mapError: (response) =>
      upstreamStatusError({
        provider: spec.type,
        status: response.status,
        headers: response.headers,
        facts: spec.errorFacts(response),
        now: ctx.deps.now(),
        secrets: [ctx.credential.value],
      }),
  };
}

/** Drives a stream mapper over upstream events; stops reading at the terminal event. */
async function* mapEvents(
  events: AsyncGenerator<SseEvent, unknown>,
  mapper: ChatStreamMapper,
): AsyncGenerator<ChatCompletionChunk, void> {
  for await (const event of events) {
    yield* mapper.map(event);
    if (mapper.done()) return;
  }
  yield* mapper.end();
}

function httpChat(spec: HttpProviderSpec, wire: HttpChatWire): ChatOperation {
  return {
    async complete(ctx, request) {
      const call = buildHttpCall(spec, ctx, wire.request(ctx, request, false));
      const response = await ctx.deps.http.json(call);
      return wire.response(ctx, response.body, response.headers);
    },
    async stream(ctx, request): Promise<AdapterChatStream> {
      const call = buildHttpCall(spec, ctx, wire.request(ctx, request, true));
      call.headers.accept = 'text/event-stream';
      const response = await ctx.deps.http.sse(call);
      const mapper = wire.streamMapper(ctx, request);
      return { chunks: mapEvents(response.events, mapper), usage: () => mapper.usage() };
    },
  };
}

function jsonOperation<Req, Res>(spec: HttpProviderSpec, wire: HttpWire<Req, Res>) {
  return async (ctx: CallContext, request: Req): Promise<Res> => {
    const response = await ctx.deps.http.json(buildHttpCall(spec, ctx, wire.request(ctx, request)));
    return wire.response(ctx, response.body, response.headers, request);
  };
}

function bytesOperation<Req, Res>(spec: HttpProviderSpec, wire: HttpWire<Req, Res, Buffer>) {
  return async (ctx: CallContext, request: Req): Promise<Res> => {
    const response = await ctx.deps.http.send(buildHttpCall(spec, ctx, wire.request(ctx, request)));
    return wire.response(ctx, response.body, response.headers, request);
  };
}

/**
 * An operation whose answer is passed on as it arrives (speech): resolves at its first bytes; a
 * refusal by the wire (an error in disguise, no audio) closes the connection.
 */
function streamedOperation<Req, Res>(spec: HttpProviderSpec, wire: HttpWire<Req, Res, StreamedBody>) {
  return async (ctx: CallContext, request: Req): Promise<Res> => {
    const response = await ctx.deps.http.byteStream(buildHttpCall(spec, ctx, wire.request(ctx, request)));
    try {
      return wire.response(ctx, { empty: response.empty, bytes: response.body }, response.headers, request);
    } catch (error) {
      await response.body.return?.();
      throw error;
    }
  };
}

/** Turns a declarative spec into a {@link ProviderAdapter}. */
export function createHttpAdapter(spec: HttpProviderSpec): ProviderAdapter {
  const present: Record<Operation, boolean> = {
    chat: spec.chat !== undefined,
    embeddings: spec.embeddings !== undefined,
    rerank: spec.rerank !== undefined,
    speech: spec.speech !== undefined,
    transcription: spec.transcription !== undefined,
    images: spec.images !== undefined,
    moderation: spec.moderation !== undefined,
    count_tokens: spec.countTokens !== undefined,
  };
  const adapter: ProviderAdapter = {
    type: spec.type,
    baseUrlRule: spec.baseUrlRule,
    ...(spec.defaultBaseUrl === undefined ? {} : { defaultBaseUrl: spec.defaultBaseUrl }),
    supports: (operation, provider) => present[operation] && (spec.supports?.(operation, provider) ?? true),
  };
  if (spec.chat) adapter.chat = httpChat(spec, spec.chat);
  if (spec.embeddings) adapter.embeddings = jsonOperation(spec, spec.embeddings);
  if (spec.rerank) adapter.rerank = jsonOperation(spec, spec.rerank);
  if (spec.speech) adapter.speech = streamedOperation(spec, spec.speech);
  if (spec.transcription) adapter.transcription = bytesOperation(spec, spec.transcription);
  if (spec.images) adapter.images = jsonOperation(spec, spec.images);
  if (spec.moderation) adapter.moderation = jsonOperation(spec, spec.moderation);
  if (spec.countTokens)
    adapter.countTokens = { supports: () => true, count: jsonOperation(spec, spec.countTokens) };
  return adapter;
}

/**
 * The service-facing entry points of the provider layer: one call to one provider, in canonical
 * (OpenAI) formats. Routing, retries, failover, circuit breaking, rate limits and usage recording sit
 * above this (they act on `UpstreamError.retryable` / `retryAfterMs`); this layer makes exactly one
 * attempt and never estimates usage.
 *
 * @example
 * const result = await invokeChat({ provider, model: 'gpt-4o-mini', request, credential, deadline });
 * if (result.stream) for await (const chunk of result.stream) write(chunk);
 * else return result.response;
 */
import type { AnthropicCountTokensRequest } from '../ai/schemas/anthropic-messages.js';
import type {
  ChatCompletion,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  ImageGenerationRequest,
  ImagesResponse,
  ModerationRequest,
  ModerationResponse,
  ReportedUsage,
  RerankRequest,
  RerankResponse,
  SpeechAudio,
  SpeechRequest,
  TokenCount,
  TranscriptionRequest,
  TranscriptionResponse,
} from '../ai/types.js';
import { ValidationError } from '../errors.js';
import { validateUpstreamUrl } from '../net/upstream-address.js';
import { misconfigured, UpstreamError, unsupported } from '../upstream/errors.js';
import { ChatStream } from './chat-stream.js';
import type {
  AdapterDeps,
  CallContext,
  Credential,
  Operation,
  ProviderAdapter,
  ProviderRecord,
} from './contract.js';
import { checkImageUrls } from './image-urls.js';
import { adapterFor } from './registry.js';

/** One call's inputs. */
export interface InvokeInput<Req> {
  /** The stored provider (id, type, base_url, timeout_seconds, metadata). */
  provider: ProviderRecord;
  /** The upstream model id to call (after routing's model mapping). */
  model: string;
  /** A request validated by the route's schema (`lib/ai/schemas`). */
  request: Req;
  credential: Credential;
  /** Epoch ms by which the call must be over: the function's remaining time minus a margin. */
  deadline?: number;
  /** Aborts the call (the client disconnected). */
  signal?: AbortSignal;
  /** The gateway instance's provider view (its HTTP client, SSRF policy and clock). */
  deps: AdapterDeps;
}

/** Facts about the call for headers, logs and latency tracking. */
export interface InvokeMeta {
  provider_id: string;
  provider_type: ProviderRecord['provider_type'];
  model: string;
  /** Milliseconds until the full answer (or, for a stream, its first chunk). */
  latency_ms: number;
  /** True when the in-process mock answered. */
  mock: boolean;
}

/** A complete answer, the usage the provider reported (`null`: none), and call facts. */
export interface Invocation<Res> {
  response: Res;
  usage: ReportedUsage;
  meta: InvokeMeta;
}

/** A complete chat answer (`stream: false`) or an opened {@link ChatStream}. */
export type ChatInvocation =
  | (Invocation<ChatCompletion> & { stream: false })
  | { stream: ChatStream; meta: InvokeMeta };

/** Whether a provider (by type and metadata) serves an operation. */
export function providerSupports(provider: ProviderRecord, operation: Operation): boolean {
  return adapterFor(provider.provider_type).supports(operation, provider);
}

function resolveBaseUrl(
  adapter: ProviderAdapter,
  provider: ProviderRecord,
  deps: AdapterDeps,
): URL | undefined {
  if (adapter.baseUrlRule === 'none') return undefined;
  const raw = provider.base_url ?? adapter.defaultBaseUrl;
  if (raw === undefined || raw === '') {
    if (adapter.baseUrlRule === 'required')
      throw misconfigured(adapter.type, `${adapter.type} provider has no base_url`);
    return undefined;
  }
  try {
    return validateUpstreamUrl(raw, deps.policy);
  } catch (error) {
    const rule =
      error instanceof ValidationError
        ? String((error.details as { rule?: string } | undefined)?.rule ?? 'invalid')
        : 'invalid';
    throw new UpstreamError({
      provider: adapter.type,
      type: 'upstream_refused',
      retryable: false,
      message: `${adapter.type} provider base_url is refused (${rule})`,
      cause: error,
    });
  }
}

function prepare<Req>(
  input: InvokeInput<Req>,
  operation: Operation,
): { adapter: ProviderAdapter; ctx: CallContext } {
  const { deps } = input;
  const adapter = adapterFor(input.provider.provider_type);
  if (!adapter.supports(operation, input.provider)) {
    throw unsupported(adapter.type, `${adapter.type} provider does not support ${operation}`);
  }
  const seconds = input.provider.timeout_seconds;
  const ctx: CallContext = {
    provider: input.provider,
    model: input.model,
    credential: input.credential,
    baseUrl: resolveBaseUrl(adapter, input.provider, deps),
    budget: {
      timeoutMs: seconds > 0 ? seconds * 1000 : deps.defaultTimeoutMs,
      deadline: input.deadline,
      signal: input.signal,
    },
    deps,
  };
  return { adapter, ctx };
}

function meta(ctx: CallContext, started: number): InvokeMeta {
  return {
    provider_id: ctx.provider.id,
    provider_type: ctx.provider.provider_type,
    model: ctx.model,
    latency_ms: Math.max(0, ctx.deps.now() - started),
    mock: ctx.provider.provider_type === 'mock',
  };
}

function operationOf<F>(adapter: ProviderAdapter, fn: F | undefined, operation: Operation): F {
  if (fn === undefined)
    throw unsupported(adapter.type, `${adapter.type} provider does not support ${operation}`);
  return fn;
}

/**
 * Chat completion. With `request.stream` true, resolves once the first chunk arrived with a
 * {@link ChatStream}; otherwise with the full completion and its usage.
 *
 * @throws UpstreamError for every upstream failure (see `lib/upstream/errors.ts` for types and statuses).
 */
export async function invokeChat(input: InvokeInput<ChatCompletionRequest>): Promise<ChatInvocation> {
  const { adapter, ctx } = prepare(input, 'chat');
  const chat = operationOf(adapter, adapter.chat, 'chat');
  if (adapter.fetchesImageUrls !== false) {
    await checkImageUrls(input.request, ctx.provider, ctx.baseUrl, ctx.deps);
  }
  const started = ctx.deps.now();
  if (input.request.stream === true) {
    const source = await chat.stream(ctx, input.request);
    const stream = await ChatStream.open(source, input.request.stream_options?.include_usage === true);
    return { stream, meta: meta(ctx, started) };
  }
  const result = await chat.complete(ctx, input.request);
  return { stream: false, response: result.response, usage: result.usage, meta: meta(ctx, started) };
}

/** Embeddings (batched input, `dimensions`, `encoding_format` float or base64). */
export async function invokeEmbeddings(
  input: InvokeInput<EmbeddingsRequest>,
): Promise<Invocation<EmbeddingsResponse>> {
  const { adapter, ctx } = prepare(input, 'embeddings');
  const run = operationOf(adapter, adapter.embeddings, 'embeddings');
  const started = ctx.deps.now();
  const result = await run.call(adapter, ctx, input.request);
  return { response: result.response, usage: result.usage, meta: meta(ctx, started) };
}

/** Rerank (`query`, `documents`, `top_n`) → results by descending relevance. */
export async function invokeRerank(input: InvokeInput<RerankRequest>): Promise<Invocation<RerankResponse>> {
  const { adapter, ctx } = prepare(input, 'rerank');
  const run = operationOf(adapter, adapter.rerank, 'rerank');
  const started = ctx.deps.now();
  const result = await run.call(adapter, ctx, input.request);
  return { response: result.response, usage: result.usage, meta: meta(ctx, started) };
}

/** Text to speech → audio bytes and their media type; usage counts characters. */
export async function invokeSpeech(input: InvokeInput<SpeechRequest>): Promise<Invocation<SpeechAudio>> {
  const { adapter, ctx } = prepare(input, 'speech');
  const run = operationOf(adapter, adapter.speech, 'speech');
  const started = ctx.deps.now();
  const result = await run.call(adapter, ctx, input.request);
  return { response: result.audio, usage: result.usage, meta: meta(ctx, started) };
}

/** Speech to text (an uploaded audio file) → the transcription. */
export async function invokeTranscription(
  input: InvokeInput<TranscriptionRequest>,
): Promise<Invocation<TranscriptionResponse>> {
  const { adapter, ctx } = prepare(input, 'transcription');
  const run = operationOf(adapter, adapter.transcription, 'transcription');
  const started = ctx.deps.now();
  const result = await run.call(adapter, ctx, input.request);
  return { response: result.response, usage: result.usage, meta: meta(ctx, started) };
}

/** Runs one single-answer operation of an adapter (the common shape of images and moderation). */
async function invokeOne<Req, Res>(
  input: InvokeInput<Req>,
  operation: Operation,
  pick: (adapter: ProviderAdapter) => ((ctx: CallContext, request: Req) => Promise<Res>) | undefined,
): Promise<{ result: Res; meta: InvokeMeta }> {
  const { adapter, ctx } = prepare(input, operation);
  const run = operationOf(adapter, pick(adapter), operation);
  const started = ctx.deps.now();
  const result = await run.call(adapter, ctx, input.request);
  return { result, meta: meta(ctx, started) };
}

/** Image generation (`n`, `size`, `quality`) → images as base64 or URLs, as the provider gives them. */
export async function invokeImages(
  input: InvokeInput<ImageGenerationRequest>,
): Promise<Invocation<ImagesResponse>> {
  const { result, meta } = await invokeOne(input, 'images', (a) => a.images);
  return { response: result.response, usage: result.usage, meta };
}

/** Moderation of text (and images where the model reads them) → a verdict per input. */
export async function invokeModeration(
  input: InvokeInput<ModerationRequest>,
): Promise<Invocation<ModerationResponse>> {
  const { result, meta } = await invokeOne(input, 'moderation', (a) => a.moderation);
  return { response: result.response, usage: result.usage, meta };
}

/** Whether the provider itself can count the input tokens of a request for `model`. */
export function countsTokensUpstream(provider: ProviderRecord, model: string): boolean {
  const adapter = adapterFor(provider.provider_type);
  return (
    adapter.countTokens !== undefined &&
    adapter.supports('count_tokens', provider) &&
    adapter.countTokens.supports(model)
  );
}

/**
 * The provider's own count of a Messages request's input tokens (no usage: counting is free).
 *
 * @throws UpstreamError `unsupported` when the provider cannot count for the model
 *   (see {@link countsTokensUpstream}), and for every upstream failure.
 */
export async function invokeCountTokens(
  input: InvokeInput<AnthropicCountTokensRequest>,
): Promise<Invocation<TokenCount>> {
  const { result, meta } = await invokeOne(input, 'count_tokens', (a) =>
    a.countTokens?.supports(input.model) ? a.countTokens.count : undefined,
  );
  return { response: result, usage: null, meta };
}

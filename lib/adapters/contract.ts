/**
 * The adapter contract: what every provider implements and what the service layer calls. It names
 * no single provider (`docs/architecture.md`): each provider is a folder that implements
 * {@link ProviderAdapter}, usually by declaring {@link HttpProviderSpec} wires (request builder,
 * response mapper, stream-chunk mapper, error reader) that `http-adapter.ts` runs over the shared
 * HTTP client. Providers that do not speak HTTP to us (Bedrock through the AWS SDK, the in-process
 * mock) implement {@link ProviderAdapter} directly.
 */

import type { AnthropicCountTokensRequest } from '../ai/schemas/anthropic-messages.js';
import type { SseEvent } from '../ai/sse.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
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
import type { LookupAllImpl, UpstreamPolicy } from '../net/upstream-address.js';
import type { PROVIDER_TYPES } from '../schemas/vocabulary.js';
import type { StateSlot } from '../state-slots.js';
import type { CallBudget } from '../upstream/budget.js';
import type { ProviderErrorFacts } from '../upstream/classify.js';
import type { ErrorResponse, ResponseHeaders, UpstreamHttpClient } from '../upstream/http-client.js';

/** A stored provider's `provider_type`. */
export type ProviderType = (typeof PROVIDER_TYPES)[number];
/** An AI operation an adapter may serve. */
export type Operation =
  | 'chat'
  | 'embeddings'
  | 'rerank'
  | 'speech'
  | 'transcription'
  | 'images'
  | 'moderation'
  | 'count_tokens';

/** The fields of a stored provider that adapters read (the full record has more). */
export interface ProviderRecord {
  id: string;
  provider_type: ProviderType;
  base_url: string | null;
  /** The provider's timeout, in seconds (see `budget.ts` for how it applies to streams). */
  timeout_seconds: number;
  /** Operator-set options per provider type; each adapter documents the keys it reads. */
  metadata: Record<string, unknown>;
}

/**
 * The credential to call with. `api_key` and `secret_ref` carry the plaintext secret in `value`
 * (the credential service resolves a `secret_ref` before calling); `aws_iam` carries none: the
 * function's role signs (Bedrock). Adapters never log, echo or persist `value`.
 */
export interface Credential {
  type: 'api_key' | 'secret_ref' | 'aws_iam';
  value?: string;
}

/** Static AWS credentials (tests and the local runtime; in AWS the role's are used). */
export interface StaticAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What adapters need from the outside world: created once per container, injectable in tests. */
export interface AdapterDeps {
  http: UpstreamHttpClient;
  policy: UpstreamPolicy;
  /** DNS behind the SSRF guard for clients other than `http` (Bedrock's SDK); default `dns.lookup`. */
  lookup?: LookupAllImpl;
  /** Epoch milliseconds. */
  now: () => number;
  /** Provider timeout when a record has none, in milliseconds (`PROVIDER_REQUEST_TIMEOUT`). */
  defaultTimeoutMs: number;
  aws: { region: string; credentials?: StaticAwsCredentials };
  /** Waits `ms` unless `signal` aborts first (the mock's latency). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * What adapters keep for this view's life (Bedrock runtime clients by region and auth, the
   * mock's call counters), one typed {@link StateSlot} each, created on first use.
   */
  state<T>(slot: StateSlot<AdapterDeps, T>): T;
  /** Closes the adapters' state (their SDK clients), then the HTTP client's pools. */
  close(): Promise<void>;
}

/** Everything one adapter call needs. */
export interface CallContext {
  provider: ProviderRecord;
  /** The upstream's model id (routing may map the caller's model to another). */
  model: string;
  credential: Credential;
  /** The checked base URL; `undefined` for providers that have none (mock, Bedrock's default). */
  baseUrl: URL | undefined;
  budget: CallBudget;
  deps: AdapterDeps;
}

/** A complete chat answer and the usage the provider reported (`null`: none). */
export interface ChatResult {
  response: ChatCompletion;
  usage: ReportedUsage;
}

/**
 * An adapter's stream: canonical chunks without any usage chunk (the service appends it), ending
 * normally only after the provider's terminal event.
 */
export interface AdapterChatStream {
  /** Throws `UpstreamError` on an in-stream error, a stall, a bound, or an unterminated stream. */
  chunks: AsyncGenerator<ChatCompletionChunk, void>;
  /** Usage reported so far; final once `chunks` is done (`null`: not reported). */
  usage(): ReportedUsage;
}

/** An embeddings answer and its reported usage. */
export interface EmbeddingsResult {
  response: EmbeddingsResponse;
  usage: ReportedUsage;
}
/** A rerank answer and its reported usage. */
export interface RerankResultSet {
  response: RerankResponse;
  usage: ReportedUsage;
}
/** Synthesized audio and its usage (characters). */
export interface SpeechResult {
  audio: SpeechAudio;
  usage: ReportedUsage;
}
/** A transcription and its reported usage (audio seconds, tokens). */
export interface TranscriptionResult {
  response: TranscriptionResponse;
  usage: ReportedUsage;
}

/** Generated images and their usage (images with size and quality; tokens where billed by token). */
export interface ImagesResult {
  response: ImagesResponse;
  usage: ReportedUsage;
}
/** A moderation answer (usually without usage: moderation is free where it is offered). */
export interface ModerationResultSet {
  response: ModerationResponse;
  usage: ReportedUsage;
}

/**
 * Token counting by the provider itself (Anthropic's `count_tokens`, Bedrock's CountTokens).
 * `supports` says whether the provider can count for a model; where it cannot, the gateway estimates.
 */
export interface CountTokensOperation {
  supports(model: string): boolean;
  count(ctx: CallContext, request: AnthropicCountTokensRequest): Promise<TokenCount>;
}

/** Chat, complete or streamed. */
export interface ChatOperation {
  complete(ctx: CallContext, request: ChatCompletionRequest): Promise<ChatResult>;
  /** Resolves once the upstream accepted the stream (2xx headers); chunks follow. */
  stream(ctx: CallContext, request: ChatCompletionRequest): Promise<AdapterChatStream>;
}

/** One provider type. Operations it lacks are absent; `supports` refines by record (metadata). */
export interface ProviderAdapter {
  readonly type: ProviderType;
  /** `none`: never connects; `optional`: falls back to `defaultBaseUrl`/SDK; `required`. */
  readonly baseUrlRule: 'none' | 'optional' | 'required';
  readonly defaultBaseUrl?: string;
  /**
   * `false` for a provider that never fetches a caller's image URL itself (it takes bytes only):
   * its remote image URLs are left to its own translation. Default: it fetches them, so they are
   * checked (`image-urls.ts`).
   */
  readonly fetchesImageUrls?: false;
  supports(operation: Operation, provider: ProviderRecord): boolean;
  chat?: ChatOperation;
  embeddings?(ctx: CallContext, request: EmbeddingsRequest): Promise<EmbeddingsResult>;
  rerank?(ctx: CallContext, request: RerankRequest): Promise<RerankResultSet>;
  speech?(ctx: CallContext, request: SpeechRequest): Promise<SpeechResult>;
  transcription?(ctx: CallContext, request: TranscriptionRequest): Promise<TranscriptionResult>;
  images?(ctx: CallContext, request: ImageGenerationRequest): Promise<ImagesResult>;
  moderation?(ctx: CallContext, request: ModerationRequest): Promise<ModerationResultSet>;
  countTokens?: CountTokensOperation;
}

// ---- Declarative HTTP wires (run by http-adapter.ts) ----

/** One upstream HTTP request, relative to the provider's base URL. */
export interface WireRequest {
  /** Appended to the base URL's path (`/chat/completions`). */
  path: string;
  query?: Record<string, string>;
  /** Extra headers (auth and JSON content type are added for you). */
  headers?: Record<string, string>;
  /** A JSON value to serialize, or raw bytes with `contentType`. */
  json?: unknown;
  raw?: { body: Uint8Array; contentType: string };
  method?: 'GET' | 'POST';
  /** Overrides the client's response cap, in bytes (audio can exceed the JSON default). */
  maxResponseBytes?: number;
}

/** Stateful translation of one stream: create one per call. */
export interface ChatStreamMapper {
  /**
   * Maps one upstream event to zero or more canonical chunks.
   *
   * @throws UpstreamError on an in-stream error event or an event that is not valid.
   */
  map(event: SseEvent): ChatCompletionChunk[];
  /** True once the provider's terminal event was seen; reading stops there. */
  done(): boolean;
  /**
   * Called when the upstream closed before {@link done}: final chunks if the stream may end this way.
   *
   * @throws UpstreamError `bad_upstream_response` when the stream is incomplete.
   */
  end(): ChatCompletionChunk[];
  usage(): ReportedUsage;
}

/** The chat part of an {@link HttpProviderSpec}: request builder, response mapper, stream mapper. */
export interface HttpChatWire {
  request(ctx: CallContext, request: ChatCompletionRequest, stream: boolean): WireRequest;
  response(ctx: CallContext, body: unknown, headers: ResponseHeaders): ChatResult;
  streamMapper(ctx: CallContext, request: ChatCompletionRequest): ChatStreamMapper;
}

/** A body passed on as it arrives (speech): its bytes, and whether there were none. */
export interface StreamedBody {
  empty: boolean;
  /** The bytes; `return()` closes the connection, even unread. */
  bytes: AsyncIterableIterator<Uint8Array>;
}

/** A request builder and response mapper for one non-chat operation. */
export interface HttpWire<Req, Res, Body = unknown> {
  request(ctx: CallContext, request: Req): WireRequest;
  /** `body` is parsed JSON for JSON operations, the raw bytes for transcription, a stream for speech. */
  response(ctx: CallContext, body: Body, headers: ResponseHeaders, request: Req): Res;
}

/** A provider spoken over HTTP, as data; `createHttpAdapter` turns it into a {@link ProviderAdapter}. */
export interface HttpProviderSpec {
  type: ProviderType;
  baseUrlRule: 'optional' | 'required';
  defaultBaseUrl?: string;
  /**
   * Auth headers from the credential.
   *
   * @throws UpstreamError `configuration` when the credential cannot be used by this provider.
   */
  authHeaders(ctx: CallContext): Record<string, string>;
  /** Reads the provider's error body (message, type, quota exhaustion). */
  errorFacts(response: ErrorResponse): ProviderErrorFacts;
  /** Refines operation support by record (e.g. a TEI endpoint serves no chat). Default: wire present. */
  supports?(operation: Operation, provider: ProviderRecord): boolean;
  chat?: HttpChatWire;
  embeddings?: HttpWire<EmbeddingsRequest, EmbeddingsResult>;
  rerank?: HttpWire<RerankRequest, RerankResultSet>;
  speech?: HttpWire<SpeechRequest, SpeechResult, StreamedBody>;
  transcription?: HttpWire<TranscriptionRequest, TranscriptionResult, Buffer>;
  images?: HttpWire<ImageGenerationRequest, ImagesResult>;
  moderation?: HttpWire<ModerationRequest, ModerationResultSet>;
  /** The provider's own token counter (every model of the provider). */
  countTokens?: HttpWire<AnthropicCountTokensRequest, TokenCount>;
}

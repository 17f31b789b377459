/**
 * The one HTTP client to providers. One undici `Agent` per container keeps one keep-alive pool per
 * origin; its connect hook is the guarded DNS lookup, so every connection (and every reconnection)
 * is checked against the SSRF policy at connect time, and IP literals (which skip DNS) are checked
 * before dispatch. Redirects are never followed: undici 7 does not follow them by default, and a 3xx
 * is turned into an error here, so a key is never replayed to another host.
 *
 * Every call has a budget (`budget.ts`), a response cap, and an error mapper supplied by the adapter
 * for non-2xx answers. Everything that goes wrong surfaces as an `UpstreamError`.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { SseEvent } from '../ai/sse.js';
// Not from 'undici': its index loads fetch, WebSocket and more (see lib/net/undici.ts).
import { Agent } from '../net/undici.js';
import {
  assertConnectTarget,
  createGuardedLookup,
  type LookupAllImpl,
  type UpstreamPolicy,
} from '../net/upstream-address.js';
import { parseJsonBody, readBounded, readByteStream, readErrorBody } from './body.js';
import { type ArmedBudget, armBudget, type CallBudget } from './budget.js';
import { UpstreamError } from './errors.js';
import { readSse, type SseEnd } from './sse-reader.js';
import { normalizeTransportError } from './transport-errors.js';

/** Response headers, lower-case names (undici's shape). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Limits of the client, in bytes (event size in characters). */
export interface HttpClientLimits {
  /** Largest non-streamed body (default 10 MiB). */
  maxResponseBytes: number;
  /** Most of an error body read for classification (default 64 KiB). */
  maxErrorBodyBytes: number;
  /** Largest whole stream (default 64 MiB). */
  maxStreamBytes: number;
  /** Largest single stream line or event (default 1 MiB). */
  maxStreamEventChars: number;
}

/** The default caps (see {@link HttpClientLimits}). */
export const DEFAULT_HTTP_LIMITS: HttpClientLimits = {
  maxResponseBytes: 10 * 1024 * 1024,
  maxErrorBodyBytes: 64 * 1024,
  maxStreamBytes: 64 * 1024 * 1024,
  maxStreamEventChars: 1024 * 1024,
};

/** Options of {@link UpstreamHttpClient}. */
export interface HttpClientOptions {
  /** The SSRF policy (from `ALLOWED_PRIVATE_UPSTREAMS`). */
  policy: UpstreamPolicy;
  /** DNS resolver behind the guard (tests point names at loopback to prove refusal). */
  lookup?: LookupAllImpl;
  /** TCP + TLS connect timeout, in milliseconds (default 10 s; the call budget still applies). */
  connectTimeoutMs?: number;
  limits?: Partial<HttpClientLimits>;
  /** Epoch milliseconds; tests move it. */
  now?: () => number;
}

/** A non-2xx answer, as given to an adapter's error mapper. */
export interface ErrorResponse {
  status: number;
  headers: ResponseHeaders;
  /** Parsed JSON when the body was JSON, else `undefined`. */
  body: unknown;
}

/** Turns a non-2xx answer into the provider's {@link UpstreamError}. */
export type ErrorMapper = (response: ErrorResponse) => UpstreamError;

/** One upstream call. */
export interface HttpCall {
  /** Provider type, for error messages and `UpstreamError.provider`. */
  provider: string;
  url: URL;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  budget: CallBudget;
  mapError: ErrorMapper;
  /** Overrides the response cap (e.g. audio). */
  maxResponseBytes?: number;
}

/** A 2xx answer with its whole body (at most the cap). */
export interface BufferedResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
}

/** A 2xx answer whose body parsed as JSON. */
export interface JsonResponse {
  status: number;
  headers: ResponseHeaders;
  body: unknown;
}

/** A 2xx streaming answer. */
export interface SseResponse {
  status: number;
  headers: ResponseHeaders;
  /** The events; abandoning the iterator (`return()`) closes the connection. */
  events: AsyncGenerator<SseEvent, SseEnd>;
}

/** A 2xx answer whose body is read as it arrives (audio), its first bytes already in. */
export interface ByteStreamResponse {
  status: number;
  headers: ResponseHeaders;
  /** Whether the body was empty (the connection is then closed already). */
  empty: boolean;
  /**
   * The body's bytes, the first piece included; `return()` (abandoning it, even unread) closes the
   * connection.
   */
  body: AsyncIterableIterator<Uint8Array>;
}

/** The client. Create one per container (the provider deps hold it) and share it. */
export class UpstreamHttpClient {
  private readonly agent: Agent;
  private readonly policy: UpstreamPolicy;
  private readonly limits: HttpClientLimits;
  private readonly now: () => number;

  constructor(options: HttpClientOptions) {
    this.policy = options.policy;
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.agent = new Agent({
      connect: {
        lookup: createGuardedLookup(options.policy, options.lookup),
        timeout: options.connectTimeoutMs ?? 10_000,
      },
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connections: 128,
    });
  }

  /**
   * A buffered call: resolves with a 2xx body of at most the response cap.
   *
   * @throws UpstreamError from the adapter's mapper (non-2xx), `redirect` (3xx), or a normalized
   *   transport, timeout or size error.
   */
  async send(call: HttpCall): Promise<BufferedResponse> {
    const budget = armBudget(call.budget, call.provider, 'buffered', this.now());
    try {
      const response = await this.dispatch(call, budget);
      const maxBytes = call.maxResponseBytes ?? this.limits.maxResponseBytes;
      const body = await readBounded(response.body, response.headers, {
        provider: call.provider,
        maxBytes,
        budget,
      });
      return { status: response.statusCode, headers: response.headers, body };
    } finally {
      budget.dispose();
    }
  }

  /** A buffered call whose 2xx body must be JSON (`bad_upstream_response` otherwise). */
  async json(call: HttpCall): Promise<JsonResponse> {
    const response = await this.send({ ...call, headers: { accept: 'application/json', ...call.headers } });
    return {
      status: response.status,
      headers: response.headers,
      body: parseJsonBody(response.body, call.provider),
    };
  }

  /**
   * A streaming call: resolves once a 2xx answer's headers arrived; the events follow as they come.
   * The first byte must arrive within the provider timeout, no silence may last longer, and the
   * stream ends by the deadline.
   */
  async sse(call: HttpCall): Promise<SseResponse> {
    const budget = armBudget(call.budget, call.provider, 'stream', this.now());
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatch(call, budget);
      await this.refuseNonStream(call, response);
    } catch (error) {
      budget.dispose();
      throw error;
    }
    const events = readSse(response.body, {
      provider: call.provider,
      budget,
      maxTotalBytes: this.limits.maxStreamBytes,
      maxEventChars: this.limits.maxStreamEventChars,
    });
    return { status: response.statusCode, headers: response.headers, events };
  }

  /**
   * A call whose 2xx body is passed on as it arrives (synthesized audio): resolves once its first
   * bytes arrived (or it ended empty), under the stream budget (first byte within the provider
   * timeout, no longer silence, the end by the deadline) and the response cap over the whole body.
   *
   * @throws UpstreamError as {@link send} does, and for a failure before the first bytes.
   */
  async byteStream(call: HttpCall): Promise<ByteStreamResponse> {
    const budget = armBudget(call.budget, call.provider, 'stream', this.now());
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatch(call, budget);
    } catch (error) {
      budget.dispose();
      throw error;
    }
    const rest = readByteStream(response.body, response.headers, {
      provider: call.provider,
      maxBytes: call.maxResponseBytes ?? this.limits.maxResponseBytes,
      budget,
    });
    // Started here, so the reader owns the connection from now on (an unstarted generator's
    // `return()` would skip its clean-up).
    const first = await rest.next();
    return {
      status: response.statusCode,
      headers: response.headers,
      empty: first.done === true,
      body: first.done ? rest : prepend(first.value, rest),
    };
  }

  /** Closes every pooled connection (tests, shutdown). */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async dispatch(call: HttpCall, budget: ArmedBudget): Promise<Dispatcher.ResponseData> {
    let response: Dispatcher.ResponseData;
    try {
      if (call.url.protocol !== 'https:' && call.url.protocol !== 'http:') {
        throw new TypeError('only http and https upstreams are supported');
      }
      assertConnectTarget(call.url.hostname, this.policy);
      response = await this.agent.request({
        origin: call.url.origin,
        path: `${call.url.pathname}${call.url.search}`,
        method: call.method ?? 'POST',
        headers: call.headers,
        body: call.body ?? null,
        signal: budget.signal,
        headersTimeout: budget.headersTimeoutMs,
        bodyTimeout: budget.idleTimeoutMs,
      });
    } catch (error) {
      throw normalizeTransportError(error, call.provider, budget, 'connect');
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    throw await this.statusError(call, response);
  }

  private async statusError(call: HttpCall, response: Dispatcher.ResponseData): Promise<UpstreamError> {
    const text = await readErrorBody(response.body, this.limits.maxErrorBodyBytes);
    if (response.statusCode >= 300 && response.statusCode < 400) {
      return new UpstreamError({
        provider: call.provider,
        type: 'redirect',
        retryable: false,
        upstreamStatus: response.statusCode,
        message: `${call.provider} answered ${response.statusCode} (a redirect, which is never followed)`,
      });
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      body = undefined;
    }
    return call.mapError({ status: response.statusCode, headers: response.headers, body });
  }

  /** A 2xx JSON or HTML answer to a streaming request is an error in disguise (or a misconfiguration). */
  private async refuseNonStream(call: HttpCall, response: Dispatcher.ResponseData): Promise<void> {
    const type = String(response.headers['content-type'] ?? '').toLowerCase();
    if (!type.includes('json') && !type.includes('html')) return;
    await readErrorBody(response.body as Readable, this.limits.maxErrorBodyBytes);
    throw new UpstreamError({
      provider: call.provider,
      type: 'bad_upstream_response',
      retryable: false,
      upstreamStatus: response.statusCode,
      message: `${call.provider} answered a streaming request with ${type.includes('html') ? 'HTML' : 'JSON'} instead of an event stream`,
    });
  }
}

/** `first`, then what `rest` yields; `return()` closes `rest` even before `first` was read. */
function prepend(
  first: Uint8Array,
  rest: AsyncGenerator<Uint8Array, void>,
): AsyncIterableIterator<Uint8Array> {
  let pending: Uint8Array | undefined = first;
  return {
    next: async () => {
      if (pending === undefined) return rest.next();
      const value = pending;
      pending = undefined;
      return { value, done: false };
    },
    return: async () => {
      pending = undefined;
      await rest.return();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

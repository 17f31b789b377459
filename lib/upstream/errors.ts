/**
 * The one error every provider call fails with: {@link UpstreamError}. It normalizes whatever went
 * wrong upstream (an HTTP status, a transport fault, a hostile body, an SDK exception) into facts a
 * router can act on (`retryable`, `retryAfterMs`) and a response the caller can be shown (`statusCode`,
 * `code`, a redacted `message`). Its message never carries an upstream echo of a key: provider text
 * passes through {@link sanitizeUpstreamText} before it is stored.
 */
import { GatewayError } from '../errors.js';
import { allowedUpstreamType, redactUpstreamText } from '../redact.js';

/**
 * Normalized kinds of upstream failure. The gateway status each one answers with is in
 * {@link GATEWAY_STATUS}; whether a retry (or failover) may help is decided where the error is built.
 */
export const UPSTREAM_ERROR_TYPES = [
  'invalid_request',
  'authentication',
  'permission',
  'not_found',
  'request_too_large',
  'rate_limited',
  'quota_exceeded',
  'server_error',
  'overloaded',
  'timeout',
  'connect_error',
  'upstream_refused',
  'redirect',
  'bad_upstream_response',
  'unsupported',
  'configuration',
  'aborted',
] as const;
/** One of {@link UPSTREAM_ERROR_TYPES}. */
export type UpstreamErrorType = (typeof UPSTREAM_ERROR_TYPES)[number];

/**
 * The status the gateway answers with per type. Upstream 401/403 become 502: the caller's own key
 * is fine, the gateway's stored credential is not, and a 401 would make SDKs blame the caller's key.
 * 499 (`aborted`) is the de-facto "client closed request" status; it is only ever logged.
 */
export const GATEWAY_STATUS: Record<UpstreamErrorType, number> = {
  invalid_request: 400,
  authentication: 502,
  permission: 502,
  not_found: 404,
  request_too_large: 413,
  rate_limited: 429,
  quota_exceeded: 429,
  server_error: 502,
  overloaded: 503,
  timeout: 504,
  connect_error: 502,
  upstream_refused: 502,
  redirect: 502,
  bad_upstream_response: 502,
  unsupported: 400,
  configuration: 502,
  aborted: 499,
};

/** Longest provider message kept, in characters (after redaction). */
export const MAX_UPSTREAM_MESSAGE_CHARS = 300;

/** Constructor input of {@link UpstreamError}. */
export interface UpstreamErrorInit {
  /** Provider type (`openai`, `anthropic`, ...): says which adapter raised it. */
  provider: string;
  type: UpstreamErrorType;
  /** Caller-safe text; pass provider text through {@link sanitizeUpstreamText} first. */
  message: string;
  /** Whether the same request may succeed on a retry or on another provider. */
  retryable: boolean;
  /** HTTP status the upstream answered with; `null` when no response arrived (connect, timeout). */
  upstreamStatus?: number | null;
  /** Milliseconds the upstream asked us to wait (`Retry-After`), `null` when it did not say. */
  retryAfterMs?: number | null;
  /** The provider's own error type or code (`rate_limit_error`, `insufficient_quota`), sanitized. */
  upstreamType?: string | null;
  cause?: unknown;
}

/**
 * A failed provider call. `statusCode`/`code` shape the gateway's answer (`code` is `upstream_<type>`);
 * `type`, `retryable` and `retryAfterMs` drive retries, failover and circuit breaking (`docs/routing.md`). The
 * message is always shown: it is built by the gateway or redacted provider text, never a stack.
 */
export class UpstreamError extends GatewayError {
  override name = 'UpstreamError';
  readonly provider: string;
  readonly type: UpstreamErrorType;
  readonly retryable: boolean;
  readonly upstreamStatus: number | null;
  readonly retryAfterMs: number | null;
  readonly upstreamType: string | null;

  constructor(init: UpstreamErrorInit) {
    const retryAfterMs = init.retryAfterMs ?? null;
    const headers: Record<string, string> = {};
    if (retryAfterMs !== null && (init.type === 'rate_limited' || init.type === 'overloaded')) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    }
    super(GATEWAY_STATUS[init.type], `upstream_${init.type}`, init.message, {
      headers,
      cause: init.cause,
      details: { provider: init.provider, upstream_status: init.upstreamStatus ?? null },
    });
    this.provider = init.provider;
    this.type = init.type;
    this.retryable = init.retryable;
    this.upstreamStatus = init.upstreamStatus ?? null;
    this.retryAfterMs = retryAfterMs;
    this.upstreamType = init.upstreamType ?? null;
  }

  /** Upstream errors carry gateway-built or redacted text, so even 5xx messages are shown. */
  override get expose(): boolean {
    return true;
  }

  /** A loggable summary (no cause, no stack). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      provider: this.provider,
      type: this.type,
      status: this.statusCode,
      upstream_status: this.upstreamStatus,
      upstream_type: this.upstreamType,
      retryable: this.retryable,
      retry_after_ms: this.retryAfterMs,
      message: this.message,
    };
  }
}

/**
 * Makes provider-supplied text safe to show: drops control characters, removes every occurrence of
 * the secrets we sent (exact match, so a key of any shape is caught), masks anything key-shaped,
 * key hints (`sk-proj-****…wxyz`) and provider account ids (`redactUpstreamText`) and truncates to
 * {@link MAX_UPSTREAM_MESSAGE_CHARS}.
 */
export function sanitizeUpstreamText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(/\p{Cc}+/gu, ' ');
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  out = redactUpstreamText(out).trim();
  return out.length > MAX_UPSTREAM_MESSAGE_CHARS ? `${out.slice(0, MAX_UPSTREAM_MESSAGE_CHARS)}…` : out;
}

/** A `bad_upstream_response` (502): the upstream answered, but with something we cannot trust. */
export function badUpstreamResponse(provider: string, message: string, cause?: unknown): UpstreamError {
  return new UpstreamError({ provider, type: 'bad_upstream_response', message, retryable: false, cause });
}

/** An `unsupported` (400): the provider cannot do what the request asks (an operation or a parameter). */
export function unsupported(provider: string, message: string): UpstreamError {
  return new UpstreamError({ provider, type: 'unsupported', message, retryable: false });
}

/** A `configuration` (502) error: the stored provider or credential cannot serve any request. */
export function misconfigured(provider: string, message: string): UpstreamError {
  return new UpstreamError({ provider, type: 'configuration', message, retryable: false });
}

/** An `invalid_request` (400) found while translating: the caller's request cannot be expressed upstream. */
export function invalidRequest(provider: string, message: string): UpstreamError {
  return new UpstreamError({ provider, type: 'invalid_request', message, retryable: false });
}

/**
 * A provider's error type or code as passed on: identifier-shaped, at most 64 characters, nothing
 * key- or id-shaped in it; anything else (free text, an id, a key) is dropped (`null`).
 */
export function upstreamTypeOf(value: string | null | undefined): string | null {
  return value ? allowedUpstreamType(value.replace(/\p{Cc}+/gu, '').trim()) : null;
}

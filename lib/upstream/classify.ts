/**
 * The failover table: which upstream HTTP statuses a retry (or another provider) may cure. Shared by
 * every adapter so the rule is written once: retryable = 408, 429 (unless the provider says its spend
 * or quota is exhausted, or that this request alone exceeds its limit), 5xx and 529; never 400, 401,
 * 403, 404, 413 or 422. Transport faults (connect errors, timeouts, resets) are classified in the
 * HTTP client and are retryable too.
 */
import { sanitizeUpstreamText, UpstreamError, type UpstreamErrorType, upstreamTypeOf } from './errors.js';
import { retryAfterFromHeaders } from './retry-after.js';

/** What a provider's error mapper read from an error body. Every field is optional. */
export interface ProviderErrorFacts {
  /** The provider's message, raw: it is sanitized here. */
  message?: string | undefined;
  /** The provider's error type or code (`rate_limit_error`, `insufficient_quota`). */
  upstreamType?: string | undefined;
  /** The provider says a spend limit, billing quota or monthly allowance is used up: not retryable. */
  quotaExhausted?: boolean | undefined;
}

/** Classification of one status. */
export interface StatusClass {
  type: UpstreamErrorType;
  retryable: boolean;
}

/**
 * Classifies an upstream HTTP status.
 *
 * @param status - the upstream's status code (3xx, 4xx or 5xx; 2xx is not an error).
 * @param quotaExhausted - the provider said its spend or quota is exhausted.
 */
export function classifyStatus(status: number, quotaExhausted = false): StatusClass {
  if (status >= 300 && status < 400) return { type: 'redirect', retryable: false };
  if (status === 402 || quotaExhausted) return { type: 'quota_exceeded', retryable: false };
  if (status === 408) return { type: 'timeout', retryable: true };
  if (status === 429) return { type: 'rate_limited', retryable: true };
  if (status === 529) return { type: 'overloaded', retryable: true };
  if (status === 503) return { type: 'overloaded', retryable: true };
  if (status >= 500) return { type: 'server_error', retryable: true };
  const fixed: Record<number, UpstreamErrorType> = {
    401: 'authentication',
    403: 'permission',
    404: 'not_found',
    413: 'request_too_large',
  };
  return { type: fixed[status] ?? 'invalid_request', retryable: false };
}

/**
 * Whether a 429's message says the request can never fit the limit, however long one waits:
 * "Request too large ..." (OpenAI, Groq and other OpenAI-compatible hosts), or a limit and a
 * requested amount with the request above the limit ("Limit 30000, Requested 162807"). An ordinary
 * "Limit 30000, Used 29880, Requested 420" fits once the window moves on.
 */
export function neverFitsLimit(message: string | undefined): boolean {
  if (message === undefined) return false;
  if (/\brequest too large\b/i.test(message)) return true;
  const limit = /\blimit:?\s*([\d,]+)/i.exec(message)?.[1];
  const requested = /\brequested:?\s*([\d,]+)/i.exec(message)?.[1];
  if (limit === undefined || requested === undefined) return false;
  return Number(requested.replaceAll(',', '')) > Number(limit.replaceAll(',', ''));
}

/** {@link classifyStatus} with what the provider said: a 429 that can never fit is a request too large. */
function classifyWithFacts(status: number, facts: ProviderErrorFacts): StatusClass {
  if (status === 429 && facts.quotaExhausted !== true && neverFitsLimit(facts.message)) {
    return { type: 'request_too_large', retryable: false };
  }
  return classifyStatus(status, facts.quotaExhausted === true);
}

/** Default text per type when the provider gave none. */
const DEFAULT_TEXT: Partial<Record<UpstreamErrorType, string>> = {
  authentication: 'the provider refused the stored credential',
  permission: 'the stored credential may not use this model or operation',
  not_found: 'the provider does not know this model or endpoint',
  rate_limited: 'the provider is rate limiting requests',
  quota_exceeded: 'the provider account has exhausted its quota or spend limit',
  overloaded: 'the provider is overloaded',
  server_error: 'the provider failed',
  redirect: 'the provider answered with a redirect, which is never followed',
};

/** Input of {@link upstreamStatusError}. */
export interface StatusErrorInput {
  provider: string;
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  facts: ProviderErrorFacts;
  /** Epoch milliseconds, for HTTP-date `Retry-After`. */
  now: number;
  /** Values to strip from any provider text (the credential we sent). */
  secrets?: readonly (string | undefined)[];
}

/**
 * Builds the {@link UpstreamError} for a non-2xx answer: classification from {@link classifyStatus},
 * `Retry-After` from the headers, the provider message sanitized and prefixed with the status.
 */
export function upstreamStatusError(input: StatusErrorInput): UpstreamError {
  const { type, retryable } = classifyWithFacts(input.status, input.facts);
  const raw = input.facts.message ?? DEFAULT_TEXT[type] ?? 'the provider refused the request';
  const text = sanitizeUpstreamText(raw, input.secrets) || (DEFAULT_TEXT[type] ?? 'the provider failed');
  const upstreamType = upstreamTypeOf(input.facts.upstreamType);
  return new UpstreamError({
    provider: input.provider,
    type,
    retryable,
    upstreamStatus: input.status,
    upstreamType,
    retryAfterMs: retryAfterFromHeaders(input.headers, input.now),
    message: `${input.provider} answered ${input.status}: ${text}`,
  });
}

/**
 * An error event inside a 2xx stream. `statusHint` is the status the provider documents for that
 * error type (e.g. Anthropic `overloaded_error` = 529); it is reported as `upstreamStatus`, so a
 * router classifies the event exactly as it would the same error answered as a status.
 */
export function inStreamError(input: {
  provider: string;
  facts: ProviderErrorFacts;
  statusHint: number;
  secrets?: readonly (string | undefined)[];
}): UpstreamError {
  const { type, retryable } = classifyWithFacts(input.statusHint, input.facts);
  const text = sanitizeUpstreamText(
    input.facts.message ?? DEFAULT_TEXT[type] ?? 'the provider failed',
    input.secrets,
  );
  return new UpstreamError({
    provider: input.provider,
    type,
    retryable,
    upstreamStatus: input.statusHint,
    upstreamType: upstreamTypeOf(input.facts.upstreamType),
    message: `${input.provider} reported an error in the stream: ${text || 'no details'}`,
  });
}

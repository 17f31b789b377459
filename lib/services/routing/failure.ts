/**
 * Failure classification for retries, failover and circuits. It reads any thrown value
 * structurally, so the provider adapters' normalized error (`retryable`, `retryAfterMs` or
 * `retry_after_ms`, `upstreamStatus` or `status`, `type`) is understood without importing it, and
 * raw transport errors (fetch/undici/Node socket errors) are classified too.
 *
 * Retryable: connect errors, timeouts, 408, 429 (not a spend-limit 429), 5xx, 529. Never: 400,
 * 401, 403, 404, 413, 422, a spend or quota exhaustion, or anything unrecognised.
 */
import type { RetryClass } from '../../schemas/routing.js';

/** What the router needs from an upstream error (the adapters' error satisfies it). */
export interface UpstreamFailureLike {
  retryable: boolean;
  retryAfterMs?: number | null;
  status?: number | null;
}

export interface ClassifiedFailure {
  /** The retry class, or `fatal` (never retried, never failed over). */
  class: RetryClass | 'fatal';
  retryable: boolean;
  /** Upstream HTTP status; `null` when no response arrived. */
  status: number | null;
  /** How long the upstream asked us to wait, in milliseconds. */
  retryAfterMs: number | null;
}

const NEVER_RETRY = new Set([400, 401, 403, 404, 413, 422]);
const NOT_RETRYABLE_TYPES = new Set(['quota_exceeded', 'spend_limit', 'insufficient_quota']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ESOCKETTIMEDOUT',
]);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

type Bag = Record<string, unknown>;
const asBag = (v: unknown): Bag | undefined => (v !== null && typeof v === 'object' ? (v as Bag) : undefined);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function statusOf(error: Bag): number | null {
  return num(error.upstreamStatus) ?? num(error.status);
}

function retryAfterOf(error: Bag): number | null {
  const ms = num(error.retryAfterMs) ?? num(error.retry_after_ms);
  return ms === null ? null : Math.max(0, ms);
}

/** Class of a retryable HTTP status (408, 429, 5xx, 529), or `null` for any other status. */
export function statusClass(status: number): RetryClass | null {
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 529) return 'overloaded';
  if (status >= 500 && status <= 599) return 'server_error';
  return null;
}

/** Transport faults: the error, or any error in its `cause` chain, names a timeout or socket code. */
function transportClass(error: unknown): RetryClass | null {
  for (let e = asBag(error), depth = 0; e && depth < 5; e = asBag(e.cause), depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (e.name === 'TimeoutError' || e.type === 'timeout' || TIMEOUT_CODES.has(code)) return 'timeout';
    if (CONNECT_CODES.has(code) || e.type === 'connect_error') return 'connect_error';
  }
  return null;
}

const fatal = (status: number | null, retryAfterMs: number | null = null): ClassifiedFailure => ({
  class: 'fatal',
  retryable: false,
  status,
  retryAfterMs,
});

/**
 * Classifies a thrown value. An explicit `retryable: false` always wins; `retryable: true` is
 * still refused for the never-retry statuses and for spend-limit types.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const bag = asBag(error) ?? {};
  const status = statusOf(bag);
  const retryAfterMs = retryAfterOf(bag);
  if (bag.retryable === false) return fatal(status, retryAfterMs);
  if (typeof bag.type === 'string' && NOT_RETRYABLE_TYPES.has(bag.type)) return fatal(status, retryAfterMs);
  if (status !== null && NEVER_RETRY.has(status)) return fatal(status, retryAfterMs);
  const cls = status !== null ? statusClass(status) : transportClass(error);
  if (cls) return { class: cls, retryable: true, status, retryAfterMs };
  if (bag.retryable === true) {
    const guess: RetryClass = status !== null ? 'server_error' : (transportClass(error) ?? 'connect_error');
    return { class: guess, retryable: true, status, retryAfterMs };
  }
  return fatal(status, retryAfterMs);
}

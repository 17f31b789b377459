/**
 * Normalizes what the transport throws (undici errors, socket errno codes, our connect-time SSRF
 * refusal, budget aborts, body limits) into an {@link UpstreamError}. Messages name the failure and
 * the provider, never the URL (it could carry a credential in a query string) nor a body.
 */
import { UPSTREAM_REFUSED_CODE } from '../net/upstream-address.js';
import { type ArmedBudget, abortedError, BudgetAbort, timeoutError } from './budget.js';
import { UpstreamError } from './errors.js';

/** Errno and undici codes of a connection that failed or broke: retryable. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** The `code`s along an error's `cause` chain, outermost first (HTTP/2 wraps socket errors). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const cause = (current as { cause?: unknown }).cause;
    if (cause === current) break;
    current = cause;
  }
  return codes;
}

/**
 * Converts a transport failure into an {@link UpstreamError}; an `UpstreamError` passes through.
 *
 * @param phase - `connect` until headers arrived, `body` while reading; a stall while reading is
 *   reported as such.
 */
export function normalizeTransportError(
  error: unknown,
  provider: string,
  budget: ArmedBudget | undefined,
  phase: 'connect' | 'body',
): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const aborted = budget?.aborted() ?? (error instanceof BudgetAbort ? error : undefined);
  if (aborted !== undefined) {
    return aborted.reason === 'caller'
      ? abortedError(provider, error)
      : timeoutError(provider, aborted.afterMs, error);
  }
  const codes = errorCodes(error);
  const code = codes[0];
  if (codes.includes(UPSTREAM_REFUSED_CODE)) {
    return new UpstreamError({
      provider,
      type: 'upstream_refused',
      retryable: false,
      message: `${provider} upstream refused: its address is loopback, private, link-local or reserved and not allow-listed`,
      cause: error,
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return timeoutError(provider, budget?.headersTimeoutMs ?? 0, error);
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError({
      provider,
      type: 'timeout',
      retryable: true,
      message: `${provider} stalled: no data for ${budget?.idleTimeoutMs ?? 0} ms`,
      cause: error,
    });
  }
  const what = codes.find((c) => CONNECTION_CODES.has(c)) ?? 'transport error';
  return new UpstreamError({
    provider,
    type: 'connect_error',
    retryable: true,
    message:
      phase === 'connect'
        ? `could not reach ${provider} (${what})`
        : `the connection to ${provider} broke while reading (${what})`,
    cause: error,
  });
}

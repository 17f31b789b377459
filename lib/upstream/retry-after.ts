/**
 * `Retry-After` parsing (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date. OpenAI also sends
 * `retry-after-ms`, which is preferred when present because it is more precise.
 */

/** Longest wait we accept from an upstream, in milliseconds; larger values are clamped. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

type HeaderValue = string | string[] | undefined;

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Parses one `Retry-After` value into milliseconds from `now`.
 *
 * @param value - `"120"`, `"1.5"` (tolerated), or an IMF-fixdate like `"Wed, 21 Oct 2015 07:28:00 GMT"`.
 * @param now - epoch milliseconds the date is measured from.
 * @returns milliseconds to wait (0 for a date in the past), clamped to {@link MAX_RETRY_AFTER_MS};
 *   `null` when the value is absent or unparseable (negative numbers, garbage, absurd dates).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  const text = value?.trim();
  if (text === undefined || text === '') return null;
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? Math.min(MAX_RETRY_AFTER_MS, Math.round(seconds * 1000)) : null;
  }
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

/**
 * Reads the wait an upstream asked for from response headers (lower-case names): `retry-after-ms`
 * first, then `retry-after`.
 *
 * @returns milliseconds, or `null` when neither header holds a usable value.
 */
export function retryAfterFromHeaders(headers: Record<string, HeaderValue>, now: number): number | null {
  const ms = first(headers['retry-after-ms'])?.trim();
  if (ms !== undefined && /^\d+(?:\.\d+)?$/.test(ms)) {
    return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(ms)));
  }
  return parseRetryAfter(first(headers['retry-after']), now);
}

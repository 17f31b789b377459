/** Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */

export interface BackoffPolicy {
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * Delay before retry number `retry` (1 = the first retry) of the same target: uniform in
 * [0, min(max, base × 2^(retry−1))) milliseconds. Full jitter spreads retries of many callers.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

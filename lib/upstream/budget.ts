/**
 * Time budget of one upstream call. Two limits meet here: the provider's own timeout
 * (`timeout_seconds`, default `PROVIDER_REQUEST_TIMEOUT`) and the caller's deadline (the function's
 * remaining time, so a slow upstream yields a clean 504 before Lambda kills the function).
 *
 * - A buffered call must be over within `min(timeout, deadline - now)`.
 * - A stream must show its first byte within that, then never go quiet for longer than `timeout`
 *   between reads, and end by the deadline.
 */
import { UpstreamError } from './errors.js';

/** The limits of one call, before it is armed. */
export interface CallBudget {
  /** The provider's timeout, in milliseconds. */
  timeoutMs: number;
  /** Epoch milliseconds by which the call must be over (the caller's remaining time). */
  deadline?: number | undefined;
  /** The caller's signal (client went away, or the caller gave up). */
  signal?: AbortSignal | undefined;
}

/** Why an armed budget aborted. */
export type BudgetReason = 'deadline' | 'caller';

/** The reason object an armed budget aborts with; the HTTP client recognises it. */
export class BudgetAbort extends Error {
  override name = 'BudgetAbort';
  readonly reason: BudgetReason;
  readonly afterMs: number;
  constructor(reason: BudgetReason, afterMs: number) {
    super(reason === 'caller' ? 'the caller aborted the call' : `no answer within ${afterMs} ms`);
    this.reason = reason;
    this.afterMs = afterMs;
  }
}

/** A budget in force: pass `signal` to the transport; call `dispose` when the call is over. */
export interface ArmedBudget {
  signal: AbortSignal;
  /** Longest wait for response headers, in milliseconds. */
  headersTimeoutMs: number;
  /** Longest silence between body reads, in milliseconds. */
  idleTimeoutMs: number;
  /** What made `signal` abort, if it did. */
  aborted(): BudgetAbort | undefined;
  dispose(): void;
}

/** The longest delay `setTimeout` keeps (2³¹ − 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Arms a budget: starts the overall timer and links the caller's signal.
 *
 * @param mode - `buffered` bounds the whole call by the provider timeout; `stream` bounds only the
 *   first byte and each silence by it, and the whole stream by the deadline.
 * @throws UpstreamError `timeout` (or `aborted`) when no time is left or the caller already gave up.
 */
export function armBudget(
  budget: CallBudget,
  provider: string,
  mode: 'buffered' | 'stream',
  now = Date.now(),
): ArmedBudget {
  const remaining = budget.deadline === undefined ? Number.POSITIVE_INFINITY : budget.deadline - now;
  if (budget.signal?.aborted) throw abortedError(provider);
  if (remaining <= 0) throw timeoutError(provider, 0);
  const perStep = Math.max(1, Math.min(budget.timeoutMs, remaining));
  const total = mode === 'buffered' ? perStep : remaining;
  const controller = new AbortController();
  let why: BudgetAbort | undefined;
  const abort = (reason: BudgetAbort) => {
    why ??= reason;
    controller.abort(reason);
  };
  // A deadline beyond the longest timer Node keeps (~24.8 days) is no deadline: a longer delay
  // would fire at once (Node clamps it to 1 ms).
  const timer =
    total <= MAX_TIMER_MS ? setTimeout(() => abort(new BudgetAbort('deadline', total)), total) : undefined;
  timer?.unref();
  const onCaller = () => abort(new BudgetAbort('caller', 0));
  budget.signal?.addEventListener('abort', onCaller, { once: true });
  return {
    signal: controller.signal,
    headersTimeoutMs: perStep,
    idleTimeoutMs: perStep,
    aborted: () => why,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      budget.signal?.removeEventListener('abort', onCaller);
    },
  };
}

/** The `timeout` error (504, retryable). */
export function timeoutError(provider: string, afterMs: number, cause?: unknown): UpstreamError {
  return new UpstreamError({
    provider,
    type: 'timeout',
    retryable: true,
    message:
      afterMs > 0
        ? `${provider} did not answer within ${afterMs} ms`
        : `no time was left to call ${provider} before the deadline`,
    cause,
  });
}

/** The `aborted` error (the caller gave up; not retryable). */
export function abortedError(provider: string, cause?: unknown): UpstreamError {
  return new UpstreamError({
    provider,
    type: 'aborted',
    retryable: false,
    message: `the call to ${provider} was aborted by the caller`,
    cause,
  });
}

/**
 * The failover executor: runs one upstream call over ordered candidates until one answers.
 *
 * - After a retryable failure the next attempt goes to the next candidate at once (no sleep when
 *   switching provider); a candidate is retried only after its own wait: the larger of its
 *   `Retry-After` and a capped exponential backoff with full jitter. A wait that would end past the
 *   deadline takes that candidate out of the run instead of sleeping.
 * - Non-retryable failures (400, 401, 403, 404, 422, spend limits, unknown errors) end the run at
 *   once, as does any class the policy's `retry_on` leaves out.
 * - Attempts are capped by `policy.maxAttempts`; time by `deadlineMs` (derive it from the
 *   function's remaining time). Each attempt's signal aborts at the deadline.
 * - A stream fails over only before its first byte, by structure: an attempt resolves once the
 *   stream's first chunk has arrived (`ChatStream.open`), and what fails after that is no longer an
 *   attempt but the caller's to handle.
 * - Optional hooks gate each candidate (circuits, provider rate limits) and observe each outcome.
 */
import { GatewayError, ServiceUnavailableError, TooManyRequestsError } from '../../errors.js';
import { describeError, logger } from '../../observability.js';
import type { RetryClass } from '../../schemas/routing.js';
import { type BackoffPolicy, backoffDelay, sleep } from './backoff.js';
import { type ClassifiedFailure, classifyFailure } from './failure.js';

export interface FailoverPolicy extends BackoffPolicy {
  /** Most upstream calls in one run (first attempt included). */
  maxAttempts: number;
  /** Failure classes that may be retried or failed over. */
  retryOn: readonly RetryClass[];
}

/** One upstream call with the ticket its gate issued; must honour `signal` (aborted at the deadline). */
export type AttemptFn<T, C, K> = (
  candidate: C,
  attemptNo: number,
  signal: AbortSignal,
  ticket: K,
) => Promise<T>;

/** A gate's answer: go (with a ticket handed back to `after`), or skip this candidate. */
export type GateResult<K> =
  | { allow: true; ticket: K }
  | { allow: false; error: Error; retryAfterMs?: number };

export interface AttemptReport<K> {
  ticket: K;
  ok: boolean;
  /** Milliseconds from the call to its answer (or to the first byte of a stream). */
  latencyMs: number;
  /** The classified failure; `null` on success. */
  failure: ClassifiedFailure | null;
}

export interface FailoverHooks<C, K> {
  before?(candidate: C): Promise<GateResult<K>>;
  after?(candidate: C, report: AttemptReport<K>): Promise<void>;
}

export interface FailoverInput<T, C, K> {
  candidates: readonly C[];
  attempt: AttemptFn<T, C, K>;
  policy: FailoverPolicy;
  /** Absolute deadline, epoch milliseconds (see {@link deadlineFromRemaining}). */
  deadlineMs: number;
  hooks?: FailoverHooks<C, K>;
  /** The caller's own cancellation (client gone): aborts the attempt in flight and the run. */
  signal?: AbortSignal;
  clock?: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  random?: () => number;
}

export interface FailoverResult<T, C, K = undefined> {
  value: T;
  /** Upstream calls made, the successful one included. */
  attempts: number;
  /** The candidate that served. */
  candidate: C;
  /** The ticket its gate issued for the attempt that served. */
  ticket: K;
  failures: Array<{ candidate: C; attemptNo: number; failure: ClassifiedFailure }>;
}

/** 504: the run's deadline passed before any candidate answered. */
export class DeadlineExceededError extends GatewayError {
  override name = 'DeadlineExceededError';
  constructor(options: { cause?: unknown } = {}) {
    super(504, 'upstream_timeout', 'No provider answered within the time left for this request.', options);
  }
}

/**
 * The absolute deadline for a run, from the function's remaining time, keeping `reserveMs` to
 * answer the caller (and record usage) before the function itself times out.
 */
export function deadlineFromRemaining(nowMs: number, remainingMs: number, reserveMs = 1_500): number {
  return nowMs + Math.max(0, remainingMs - reserveMs);
}

/** Longest delay a Node timer takes (larger values fire at once). */
const MAX_TIMER_MS = 2_147_483_647;

type Slot<C> = { candidate: C; notBefore: number; tries: number; out: boolean };
type Step<T> = { done: true; value: T } | { done: false };

class FailoverRun<T, C, K> {
  private readonly slots: Slot<C>[];
  private readonly now: () => number;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private pointer = 0;
  private attempts = 0;
  private lastError: unknown;
  private readonly refusals: Array<{ error: Error; retryAfterMs: number | undefined }> = [];
  readonly failures: FailoverResult<T, C, K>['failures'] = [];

  constructor(private readonly input: FailoverInput<T, C, K>) {
    this.slots = input.candidates.map((candidate) => ({ candidate, notBefore: 0, tries: 0, out: false }));
    this.now = input.clock ? () => input.clock!.now() : Date.now;
    this.wait = input.clock ? (ms, s) => input.clock!.sleep(ms, s) : sleep;
    this.random = input.random ?? Math.random;
  }

  /** The next candidate to call: a ready one from the pointer on, else the one ready soonest. */
  private pick(now: number): { slot: Slot<C>; index: number } | null {
    const n = this.slots.length;
    let soonest: { slot: Slot<C>; index: number } | null = null;
    for (let k = 0; k < n; k++) {
      const index = (this.pointer + k) % n;
      const slot = this.slots[index]!;
      if (slot.out) continue;
      if (slot.notBefore <= now) return { slot, index };
      if (!soonest || slot.notBefore < soonest.slot.notBefore) soonest = { slot, index };
    }
    return soonest;
  }

  async execute(): Promise<FailoverResult<T, C, K>> {
    while (this.attempts < this.input.policy.maxAttempts && !this.input.signal?.aborted) {
      const now = this.now();
      if (now >= this.input.deadlineMs) break;
      const pick = this.pick(now);
      if (!pick) break;
      if (pick.slot.notBefore > now) await this.wait(pick.slot.notBefore - now, this.input.signal);
      const gate = this.input.hooks?.before ? await this.input.hooks.before(pick.slot.candidate) : undefined;
      if (gate && !gate.allow) {
        pick.slot.out = true;
        this.refusals.push({ error: gate.error, retryAfterMs: gate.retryAfterMs });
        continue;
      }
      const ticket = (gate?.ticket ?? undefined) as K;
      const step = await this.call(pick.slot, pick.index, ticket);
      if (step.done) {
        return {
          value: step.value,
          attempts: this.attempts,
          candidate: pick.slot.candidate,
          ticket,
          failures: this.failures,
        };
      }
    }
    throw this.finalError();
  }

  /** One upstream call with its deadline signal; rethrows what must not be retried. */
  private async call(slot: Slot<C>, index: number, ticket: K): Promise<Step<T>> {
    const attemptNo = ++this.attempts;
    slot.tries += 1;
    const controller = new AbortController();
    const started = this.now();
    const budget = Math.min(MAX_TIMER_MS, Math.max(0, this.input.deadlineMs - started));
    const timer = setTimeout(() => controller.abort(new DeadlineExceededError()), budget);
    const onCallerAbort = () => controller.abort(this.input.signal?.reason);
    this.input.signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const value = await this.input.attempt(slot.candidate, attemptNo, controller.signal, ticket);
      await this.report(slot.candidate, { ticket, ok: true, latencyMs: this.now() - started, failure: null });
      return { done: true, value };
    } catch (raw) {
      const deadline = controller.signal.aborted && controller.signal.reason instanceof DeadlineExceededError;
      const error = deadline ? new DeadlineExceededError({ cause: raw }) : raw;
      const failure: ClassifiedFailure = deadline
        ? { class: 'timeout', retryable: true, status: null, retryAfterMs: null }
        : classifyFailure(raw);
      await this.report(slot.candidate, { ticket, ok: false, latencyMs: this.now() - started, failure });
      this.failures.push({ candidate: slot.candidate, attemptNo, failure });
      if (!failure.retryable) throw error;
      if (failure.class === 'fatal' || !this.input.policy.retryOn.includes(failure.class)) throw error;
      this.lastError = error;
      this.schedule(slot, index, failure);
      return { done: false };
    } finally {
      clearTimeout(timer);
      this.input.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /**
   * Hands an outcome to the `after` hook. Its failure (e.g. a throttled circuit write) must not
   * change the answer to this request: it is logged and the run goes on.
   */
  private async report(candidate: C, report: AttemptReport<K>): Promise<void> {
    try {
      await this.input.hooks?.after?.(candidate, report);
    } catch (error) {
      logger.warn('routing outcome not recorded', { error: describeError(error) });
    }
  }

  /** After a retryable failure: when this candidate may be tried again, and who goes next. */
  private schedule(slot: Slot<C>, index: number, failure: ClassifiedFailure): void {
    const backoff = backoffDelay(this.input.policy, slot.tries, this.random);
    slot.notBefore = this.now() + Math.max(backoff, failure.retryAfterMs ?? 0);
    if (slot.notBefore >= this.input.deadlineMs) slot.out = true;
    this.pointer = (index + 1) % this.slots.length;
  }

  /** What to throw when no candidate served: the last upstream failure, else why none was tried. */
  private finalError(): unknown {
    if (this.lastError !== undefined) return this.lastError;
    if (this.input.signal?.aborted) return this.input.signal.reason;
    const limited = this.refusals.filter((r) => r.error instanceof TooManyRequestsError);
    if (limited.length > 0) return limited[0]!.error;
    if (this.refusals.length > 0) return this.refusals[0]!.error;
    if (this.slots.length > 0) return new DeadlineExceededError();
    return new ServiceUnavailableError('No provider can serve this request now.', {
      code: 'no_available_provider',
      retryAfterSeconds: 1,
    });
  }
}

/**
 * Runs `attempt` over `candidates` with retries and failover (see the module comment).
 *
 * @returns the value, the number of upstream calls and the candidate that served.
 * @throws the first non-retryable failure as thrown by `attempt`; else, when attempts, candidates or
 *   time run out, the last retryable failure; when no call was made, the gate's refusal (429 before
 *   503), a {@link DeadlineExceededError}, or a 503 `no_available_provider` for no candidates.
 */
export function executeWithFailover<T, C, K = undefined>(
  input: FailoverInput<T, C, K>,
): Promise<FailoverResult<T, C, K>> {
  return new FailoverRun(input).execute();
}

import { describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  executeWithFailover,
  type FailoverInput,
  type FailoverPolicy,
} from '../../../lib/services/routing/failover.js';
import { UpstreamError } from '../../../lib/upstream/errors.js';

const policy: FailoverPolicy = {
  maxAttempts: 4,
  backoffBaseMs: 100,
  backoffMaxMs: 1_000,
  retryOn: ['connect_error', 'timeout', 'rate_limited', 'server_error', 'overloaded'],
};

/** A virtual clock: sleeps advance time instantly and are recorded. */
function virtualClock(start = 1_000_000) {
  const clock = {
    ms: start,
    sleeps: [] as number[],
    now: () => clock.ms,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.ms += ms;
    },
  };
  return clock;
}
type VirtualClock = ReturnType<typeof virtualClock>;

/**
 * One run of the executor on `clock` (`null`: real time and real timers): candidates a then b, the
 * policy above, 10 s to go; `input` replaces any of it.
 */
function failover<T>(
  clock: VirtualClock | null,
  input: Partial<FailoverInput<T, string, undefined>> & Pick<FailoverInput<T, string, undefined>, 'attempt'>,
) {
  return executeWithFailover<T, string, undefined>({
    candidates: ['a', 'b'],
    policy,
    deadlineMs: (clock ? clock.ms : Date.now()) + 10_000,
    ...(clock ? { clock } : {}),
    ...input,
  });
}

const upstream = (status: number, extra: { retryAfterMs?: number; type?: UpstreamError['type'] } = {}) =>
  new UpstreamError({
    provider: 'fake',
    type:
      extra.type ?? (status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'invalid_request'),
    retryable: status === 429 || status >= 500 ? extra.type !== 'quota_exceeded' : false,
    upstreamStatus: status,
    retryAfterMs: extra.retryAfterMs ?? null,
    message: `fake ${status}`,
  });

/** An attempt function that answers from a script per candidate, recording every call. */
function scripted(
  script: Record<string, Array<number | 'ok'>>,
  extra: Record<string, { retryAfterMs?: number }> = {},
) {
  const calls: string[] = [];
  const attempt = async (candidate: string) => {
    calls.push(candidate);
    const next = script[candidate]?.shift() ?? 'ok';
    if (next === 'ok') return `served by ${candidate}`;
    throw upstream(next, extra[candidate]);
  };
  return { calls, attempt };
}

describe('routing: failover executor', () => {
  it('moves to the fallback at once on a 503, without sleeping', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [503], b: ['ok'] });
    const out = await failover(clock, { attempt });
    expect(out).toMatchObject({ value: 'served by b', attempts: 2, candidate: 'b' });
    expect(calls).toEqual(['a', 'b']);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([400, 401, 403, 404, 422])('never retries a %i', async (status) => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [status], b: ['ok'] });
    await expect(failover(clock, { attempt })).rejects.toMatchObject({ upstreamStatus: status });
    expect(calls).toEqual(['a']);
  });

  it('never retries a spend-limit 429 even if it is marked retryable', async () => {
    const clock = virtualClock();
    const calls: string[] = [];
    const attempt = async (c: string) => {
      calls.push(c);
      throw Object.assign(new Error('spend'), { retryable: true, status: 429, type: 'quota_exceeded' });
    };
    await expect(failover(clock, { attempt })).rejects.toThrow('spend');
    expect(calls).toEqual(['a']);
  });

  it('waits out Retry-After before retrying the same provider', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [429, 'ok'] }, { a: { retryAfterMs: 2_000 } });
    const out = await failover(clock, { candidates: ['a'], attempt });
    expect(out.attempts).toBe(2);
    expect(calls).toEqual(['a', 'a']);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('moves to the next candidate instead of sleeping when Retry-After exceeds the time left', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [429], b: [503, 'ok'] }, { a: { retryAfterMs: 60_000 } });
    const out = await failover(clock, { attempt, deadlineMs: clock.ms + 5_000, random: () => 0.5 });
    expect(out.candidate).toBe('b');
    expect(calls).toEqual(['a', 'b', 'b']);
    expect(clock.sleeps.every((ms) => ms < 5_000)).toBe(true);
  });

  it('gives up with the last failure when the only Retry-After is past the deadline', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [429, 'ok'] }, { a: { retryAfterMs: 60_000 } });
    await expect(
      failover(clock, { candidates: ['a'], attempt, deadlineMs: clock.ms + 5_000 }),
    ).rejects.toMatchObject({ upstreamStatus: 429 });
    expect(calls).toEqual(['a']);
    expect(clock.sleeps).toEqual([]);
  });

  it('caps attempts and uses capped exponential backoff with full jitter', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [500, 500, 500, 500, 500] });
    await expect(
      failover(clock, {
        candidates: ['a'],
        attempt,
        policy: { ...policy, backoffBaseMs: 100, backoffMaxMs: 250 },
        deadlineMs: clock.ms + 60_000,
        random: () => 0.999,
      }),
    ).rejects.toMatchObject({ upstreamStatus: 500 });
    expect(calls).toHaveLength(4);
    // ceilings 100, 200, 250 (capped); jitter 0.999 of each.
    expect(clock.sleeps).toEqual([99, 199, 249]);
  });

  it('only retries the classes the policy names', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: [429], b: ['ok'] });
    await expect(
      failover(clock, { attempt, policy: { ...policy, retryOn: ['server_error'] } }),
    ).rejects.toMatchObject({ upstreamStatus: 429 });
    expect(calls).toEqual(['a']);
  });

  it('aborts the attempt in flight at the deadline with a 504', async () => {
    const seen: string[] = [];
    const attempt = (_c: string, _n: number, signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          seen.push('aborted');
          reject(signal.reason);
        });
      });
    const started = Date.now();
    const error = await failover(null, { candidates: ['a'], attempt, deadlineMs: Date.now() + 150 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).statusCode).toBe(504);
    expect(seen).toEqual(['aborted']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('skips candidates a gate refuses and reports the refusal when none is left', async () => {
    const clock = virtualClock();
    const { calls, attempt } = scripted({ a: ['ok'], b: ['ok'] });
    const refused = new Error('circuit open');
    const out = await failover(clock, {
      attempt,
      hooks: {
        before: async (c) =>
          c === 'a' ? { allow: false, error: refused } : { allow: true, ticket: undefined },
      },
    });
    expect(out.candidate).toBe('b');
    expect(calls).toEqual(['b']);
    await expect(
      failover(clock, {
        candidates: ['a'],
        attempt,
        hooks: { before: async () => ({ allow: false, error: refused }) },
      }),
    ).rejects.toBe(refused);
  });

  it('answers 503 no_available_provider for no candidates', async () => {
    await expect(
      failover(null, { candidates: [], attempt: async () => 'x', deadlineMs: Date.now() + 1_000 }),
    ).rejects.toMatchObject({ statusCode: 503, code: 'no_available_provider' });
  });
});

import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../lib/services/routing/failure.js';
import { upstreamStatusError } from '../../../lib/upstream/classify.js';

const fromStatus = (status: number, headers: Record<string, string> = {}, quotaExhausted = false) =>
  upstreamStatusError({ provider: 'openai', status, headers, facts: { quotaExhausted }, now: Date.now() });

describe('routing: failure classification', () => {
  it.each([
    [408, 'timeout'],
    [429, 'rate_limited'],
    [500, 'server_error'],
    [502, 'server_error'],
    [503, 'server_error'],
    [504, 'server_error'],
    [529, 'overloaded'],
  ])('retries an upstream %i as %s', (status, cls) => {
    expect(classifyFailure(fromStatus(status))).toMatchObject({ retryable: true, class: cls, status });
  });

  it.each([400, 401, 403, 404, 413, 422])('never retries an upstream %i', (status) => {
    expect(classifyFailure(fromStatus(status))).toMatchObject({ retryable: false, class: 'fatal' });
    expect(classifyFailure({ retryable: true, status })).toMatchObject({ retryable: false });
  });

  it('never retries a spend-limit 429', () => {
    expect(classifyFailure(fromStatus(429, {}, true))).toMatchObject({ retryable: false });
    expect(classifyFailure({ retryable: true, status: 429, type: 'quota_exceeded' })).toMatchObject({
      retryable: false,
    });
  });

  it('reads Retry-After from the adapters error and from the brief shape', () => {
    expect(classifyFailure(fromStatus(429, { 'retry-after': '3' })).retryAfterMs).toBe(3_000);
    expect(classifyFailure({ retryable: true, status: 503, retry_after_ms: 1_500 })).toMatchObject({
      class: 'server_error',
      retryAfterMs: 1_500,
    });
  });

  it('classifies transport faults from the error or its cause chain', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyFailure(refused)).toMatchObject({ retryable: true, class: 'connect_error', status: null });
    expect(classifyFailure(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({
      class: 'timeout',
    });
    expect(classifyFailure({ retryable: true, type: 'timeout' })).toMatchObject({ class: 'timeout' });
  });

  it('does not retry what it does not recognise', () => {
    expect(classifyFailure(new Error('bug'))).toMatchObject({ retryable: false });
    expect(classifyFailure('string')).toMatchObject({ retryable: false });
    expect(classifyFailure(null)).toMatchObject({ retryable: false });
  });
});

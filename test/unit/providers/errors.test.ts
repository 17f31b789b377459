import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  inStreamError,
  neverFitsLimit,
  upstreamStatusError,
} from '../../../lib/upstream/classify.js';
import { sanitizeUpstreamText, UpstreamError } from '../../../lib/upstream/errors.js';
import {
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryAfterFromHeaders,
} from '../../../lib/upstream/retry-after.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('failover table: status → type and retryable', () => {
  it.each([
    [400, 'invalid_request', false],
    [401, 'authentication', false],
    [402, 'quota_exceeded', false],
    [403, 'permission', false],
    [404, 'not_found', false],
    [408, 'timeout', true],
    [409, 'invalid_request', false],
    [413, 'request_too_large', false],
    [422, 'invalid_request', false],
    [429, 'rate_limited', true],
    [500, 'server_error', true],
    [502, 'server_error', true],
    [503, 'overloaded', true],
    [504, 'server_error', true],
    [529, 'overloaded', true],
    [301, 'redirect', false],
    [307, 'redirect', false],
  ])('%i → %s (retryable: %s)', (status, type, retryable) => {
    expect(classifyStatus(status)).toEqual({ type, retryable });
  });

  it('a 429 that says the spend or quota is exhausted is not retryable', () => {
    expect(classifyStatus(429, true)).toEqual({ type: 'quota_exceeded', retryable: false });
  });

  it.each([
    [
      'Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 162807.',
      true,
    ],
    [
      'Request too large for model `llama-3.1-8b` on tokens per minute (TPM): Limit 6000, Requested 7211',
      true,
    ],
    ['Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29880, Requested 420.', false],
    ['Rate limit reached on requests per min (RPM): Limit 3, Used 3, Requested 1.', false],
    ['limit: 1,000, requested: 1,500 tokens', true],
    ['Too many requests', false],
    [undefined, false],
  ])('a 429 saying %j can never fit: %s', (message, never) => {
    expect(neverFitsLimit(message)).toBe(never);
    const error = upstreamStatusError({
      provider: 'openai',
      status: 429,
      headers: {},
      facts: { message },
      now: NOW,
    });
    expect(error).toMatchObject(
      never
        ? { type: 'request_too_large', retryable: false, statusCode: 413, upstreamStatus: 429 }
        : { type: 'rate_limited', retryable: true, statusCode: 429 },
    );
  });

  it('never retries 400, 401, 403, 404 or 422 whatever the body says', () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const error = upstreamStatusError({
        provider: 'openai',
        status,
        headers: { 'retry-after': '1' },
        facts: { message: 'retry me' },
        now: NOW,
      });
      expect(error.retryable).toBe(false);
    }
  });
});

describe('Retry-After', () => {
  it.each([
    ['0', 0],
    ['7', 7000],
    ['1.5', 1500],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['999999999', MAX_RETRY_AFTER_MS],
  ])('%s → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each(['', '  ', '-5', 'soon', '1e3', 'Not a date, 99 Foo 2026'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });

  it('prefers retry-after-ms and reads array-valued headers', () => {
    expect(retryAfterFromHeaders({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW)).toBe(250);
    expect(retryAfterFromHeaders({ 'retry-after': ['3', '4'] }, NOW)).toBe(3000);
    expect(retryAfterFromHeaders({}, NOW)).toBeNull();
  });
});

describe('UpstreamError', () => {
  it('carries the gateway status, a Retry-After header in whole seconds, and is always exposed', () => {
    const error = upstreamStatusError({
      provider: 'anthropic',
      status: 429,
      headers: { 'retry-after-ms': '1200' },
      facts: { message: 'slow down', upstreamType: 'rate_limit_error' },
      now: NOW,
    });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      statusCode: 429,
      code: 'upstream_rate_limited',
      retryAfterMs: 1200,
      upstreamType: 'rate_limit_error',
      expose: true,
    });
    expect(error.headers).toEqual({ 'retry-after': '2' });
    expect(error.message).toBe('anthropic answered 429: slow down');
  });

  it('classifies in-stream errors by the status their type stands for', () => {
    expect(
      inStreamError({ provider: 'anthropic', statusHint: 529, facts: { message: 'Overloaded' } }),
    ).toMatchObject({ type: 'overloaded', retryable: true, upstreamStatus: 529 });
    expect(
      inStreamError({ provider: 'anthropic', statusHint: 400, facts: { message: 'bad' } }),
    ).toMatchObject({ type: 'invalid_request', retryable: false });
  });
});

describe('sanitizeUpstreamText', () => {
  it('removes the exact secret we sent, key-shaped strings and control characters, and truncates', () => {
    const secret = 'my-own-weird-key-format-123';
    const text = `bad key ${secret}\u0000 and Bearer abcdefghijklmnop and api_key=zzzzzzzz ${'x'.repeat(400)}`;
    const out = sanitizeUpstreamText(text, [secret]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain('abcdefghijklmnop');
    expect(out).not.toContain('zzzzzzzz');
    expect(out).not.toContain('\u0000');
    expect(out.length).toBeLessThanOrEqual(301);
  });
});

import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../lib/redact.js';

describe('redact: secret-shaped text never leaves the process', () => {
  it.each([
    ['an OpenAI-style key', 'failed with key sk-test-abcdefghijklmnop in header'],
    ['an Anthropic-style key', 'x sk-ant-api03-abcdefghijkl y'],
    ['a gateway key', 'key gk_abcdefghijklmnopqrstu'],
    ['a bearer token', 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz'],
    ['an api_key assignment', '{"api_key": "hunter2hunter2"}'],
    // Built at run time so the source holds nothing shaped like a real access key id.
    ['an AWS access key id', `AKIA${'ABCDEFGHIJKLMNOP'}`],
  ])('masks %s', (_name, text) => {
    const out = redactSecrets(text);
    expect(out).toContain('[redacted]');
    expect(out).not.toMatch(/abcdefghijkl|hunter2|ABCDEFGHIJKLMNOP/);
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('provider openai answered 503 in 120 ms')).toBe(
      'provider openai answered 503 in 120 ms',
    );
  });
});

/**
 * Caller image URLs handed to a provider that fetches them itself: checked with the upstream
 * address rules, with no allow-list exception, per provider (`metadata.image_urls`). The fake
 * upstream (on loopback, allow-listed as a private upstream) must never receive a refused request.
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { invokeChat } from '../../lib/adapters/invoke.js';
import type { LookupAllImpl } from '../../lib/net/upstream-address.js';
import { API_KEY, PNG_DATA_URL, providerRecord, testDeps, useFakeUpstreams } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';

const pointAt =
  (address: string): LookupAllImpl =>
  (_host, _options, callback) =>
    callback(null, [{ address, family: 4 } as LookupAddress]);
const { fake, deps } = useFakeUpstreams({ fake: createOpenAIFake() }, { lookup: pointAt('93.184.216.34') });

const withImage = (url: string) => ({
  model: 'gpt-4o',
  messages: [
    {
      role: 'user' as const,
      content: [
        { type: 'text' as const, text: 'what is this?' },
        { type: 'image_url' as const, image_url: { url } },
      ],
    },
  ],
});

function call(url: string, metadata: Record<string, unknown> = {}, viaDeps = deps) {
  return invokeChat({
    provider: providerRecord('openai', `${fake.origin}/v1`, { metadata }),
    model: 'gpt-4o',
    request: withImage(url) as never,
    credential: API_KEY,
    deps: viaDeps,
  });
}

const refusal = async (promise: Promise<unknown>) => {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { statusCode?: number; code?: string; details?: { rule?: string }; message?: string };
  return {
    status: error?.statusCode,
    code: error?.code,
    rule: error?.details?.rule,
    message: error?.message,
  };
};

describe('image URLs: a provider is never told to fetch an internal address', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/', 'private_address'],
    ['http://2852039166/latest/', 'private_address'],
    ['http://[::ffff:a9fe:a9fe]/', 'private_address'],
    ['http://0x7f000001:8080/admin', 'private_address'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'private_host'],
    ['http://localhost./x.png', 'private_host'],
    ['http://user@example.com@10.0.0.1/x.png', 'malformed'],
    ['file:///etc/passwd', 'scheme'],
  ])('refuses %s (%s) with a 400 and zero upstream requests', async (url, rule) => {
    const out = await refusal(call(url));
    expect(out).toMatchObject({ status: 400, code: 'image_url_refused', rule });
    expect(out.message).not.toContain(url);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a public-looking name that resolves to a private address when the upstream is private', async () => {
    const rebinding = testDeps({ lookup: pointAt('10.0.0.7') });
    try {
      expect(await refusal(call('https://images.example.com/cat.png', {}, rebinding))).toMatchObject({
        status: 400,
        rule: 'resolves_private',
      });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await rebinding.close();
    }
  });

  it('passes public URLs and data URLs on, and honours the per-provider setting', async () => {
    expect((await call('https://images.example.com/cat.png')).stream).toBe(false);
    expect((await call(PNG_DATA_URL, { image_urls: 'data_only' })).stream).toBe(false);
    expect(
      await refusal(call('https://images.example.com/cat.png', { image_urls: 'data_only' })),
    ).toMatchObject({ status: 400, rule: 'data_only' });
    expect((await call('http://10.1.2.3/x.png', { image_urls: 'any' })).stream).toBe(false);
    expect(fake.requests).toHaveLength(3);
  });
});

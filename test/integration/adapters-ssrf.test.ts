/**
 * Upstream address safety at call time: a refused target (loopback, private, link-local, metadata,
 * in any spelling, or a name that resolves to one) fails with `upstream_refused` and the fake behind
 * it sees zero connections. The fakes listen on 127.0.0.1; here nothing is allow-listed.
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { invokeChat } from '../../lib/adapters/invoke.js';
import type { LookupAllImpl } from '../../lib/net/upstream-address.js';
import { createBedrockFake } from '../fakes/bedrock.js';
import {
  API_KEY,
  upstreamFailure as failure,
  IAM,
  providerRecord,
  testDeps,
  useFakeUpstreams,
  userRequest,
} from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const { fake, bedrock } = useFakeUpstreams({ fake: createOpenAIFake(), bedrock: createBedrockFake() });
const provider = () => providerRecord('openai', `${fake.origin}/v1`);
const pointAt =
  (address: string): LookupAllImpl =>
  (_host, _options, callback) =>
    callback(null, [{ address, family: 4 } as LookupAddress]);

describe('upstream address (SSRF): refused targets get zero connections', () => {
  it('refuses the loopback fake when it is not allow-listed (http and https, stream or not)', async () => {
    const strict = testDeps({ policy: { allowedPrivate: [] } });
    try {
      for (const stream of [false, true]) {
        const error = await failure(
          invokeChat({
            provider: provider(),
            model: 'm',
            request: userRequest('x', { stream }),
            credential: API_KEY,
            deps: strict,
          }),
        );
        expect(error).toMatchObject({ type: 'upstream_refused', retryable: false });
      }
      expect(fake.connections).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses a public-looking name that resolves to loopback at connect time (DNS rebinding)', async () => {
    const port = new URL(fake.origin).port;
    const rebinding = testDeps({ policy: { allowedPrivate: [] }, lookup: pointAt('127.0.0.1') });
    try {
      const rebound = providerRecord('openai', `https://api.rebind.example.com:${port}/v1`);
      const error = await failure(
        invokeChat({
          provider: rebound,
          model: 'm',
          request: userRequest('x'),
          credential: API_KEY,
          deps: rebinding,
        }),
      );
      expect(error).toMatchObject({ type: 'upstream_refused', retryable: false });
      expect(fake.connections).toBe(0);
    } finally {
      await rebinding.close();
    }
  });

  it.each([
    'https://169.254.169.254/latest',
    'https://[::ffff:127.0.0.1]/v1',
    'https://0x7f000001/v1',
    'http://10.0.0.1/v1',
    'https://localhost./v1',
  ])('refuses %s before any connection', async (baseUrl) => {
    const strict = testDeps({ policy: { allowedPrivate: [] }, lookup: pointAt('127.0.0.1') });
    try {
      const error = await failure(
        invokeChat({
          provider: providerRecord('custom', baseUrl),
          model: 'm',
          request: userRequest('x'),
          credential: API_KEY,
          deps: strict,
        }),
      );
      expect(error).toMatchObject({ type: 'upstream_refused', retryable: false });
    } finally {
      await strict.close();
    }
  });
});

describe('bedrock adapter: upstream address (SSRF)', () => {
  it('refuses an endpoint override on a private address that is not allow-listed, with zero connections', async () => {
    const strict = testDeps({ policy: { allowedPrivate: [] } });
    try {
      await expect(
        invokeChat({
          provider: providerRecord('bedrock', bedrock.origin),
          model: MODEL,
          request: userRequest('x'),
          credential: IAM,
          deps: strict,
        }),
      ).rejects.toMatchObject({ type: 'upstream_refused' });
      expect(bedrock.connections).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses a public-looking endpoint name that resolves to loopback at connect time', async () => {
    const rebinding = testDeps({ policy: { allowedPrivate: [] }, lookup: pointAt('127.0.0.1') });
    const rebound = providerRecord(
      'bedrock',
      `https://bedrock.rebind.example.com:${new URL(bedrock.origin).port}`,
    );
    try {
      await expect(
        invokeChat({
          provider: rebound,
          model: MODEL,
          request: userRequest('x'),
          credential: IAM,
          deps: rebinding,
        }),
      ).rejects.toMatchObject({ type: 'upstream_refused', retryable: false });
      expect(bedrock.connections).toBe(0);
    } finally {
      await rebinding.close();
    }
  });
});

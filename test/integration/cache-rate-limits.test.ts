/**
 * A cache hit and the caller's rate limits: it counts as a request (rate limits protect the gateway
 * as well as the providers), but it spends no provider tokens, so its token-per-minute charge is
 * settled to 0 and the key's token budget is left for calls that reach a provider.
 */
import { describe, expect, it } from 'vitest';
import { chatBody, useCacheWorld } from './cache-fixtures.js';
import { windowCounts } from './limits-fixtures.js';

const world = useCacheWorld();

describe('response cache: rate limits', () => {
  it('counts a hit as a request of the key and settles its token charge to 0', async () => {
    // Prepare: a fresh minute with most of it left, and a key with its own token limit.
    const { call, clock, gw } = world;
    clock.set((Math.floor(clock.now() / 60_000) + 1) * 60_000 + 1_000);
    const key = await world.newKey({ rate_limit_tpm: 100_000 });
    const scope = `key:${key.id}`;
    // Act: a miss reaches the provider; the same request again is a hit.
    const miss = await call('POST', '/v1/chat/completions', { key: key.key, body: chatBody('tpm') });
    const afterMiss = await windowCounts(gw.runtime.deps, scope);
    const hit = await call('POST', '/v1/chat/completions', { key: key.key, body: chatBody('tpm') });
    const afterHit = await windowCounts(gw.runtime.deps, scope);
    // Assess
    expect(miss.headers.get('x-gateway-cache')).toBe('miss');
    expect(hit.headers.get('x-gateway-cache')).toBe('hit');
    expect(afterMiss.requests).toBe(1);
    expect(afterMiss.tokens).toBe(miss.json.usage.total_tokens);
    expect(afterHit).toEqual({ requests: 2, tokens: afterMiss.tokens });
  });
});

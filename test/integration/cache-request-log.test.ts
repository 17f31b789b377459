/**
 * The request log tells a cache hit from a miss: the record of each AI answer names the cache's
 * outcome, and a hit's record names the provider and model whose answer it replayed, with no
 * upstream attempt.
 */
import { describe, expect, it } from 'vitest';
import { CHAT_MODEL, chatBody, useCacheWorld } from './cache-fixtures.js';

const world = useCacheWorld();

describe('response cache: request log', () => {
  it('records miss, then hit, each findable by the answer’s x-request-id', async () => {
    // Prepare
    const { call, gw } = world;
    // Act
    const miss = await call('POST', '/v1/chat/completions', { body: chatBody('logged question') });
    const hit = await call('POST', '/v1/chat/completions', { body: chatBody('logged question') });
    const missLog = await gw.call('GET', `/api/logs/${miss.headers.get('x-request-id')}`);
    const hitLog = await gw.call('GET', `/api/logs/${hit.headers.get('x-request-id')}`);
    // Assess
    expect(hit.headers.get('x-gateway-cache')).toBe('hit');
    expect(missLog.status, missLog.text).toBe(200);
    expect(missLog.json).toMatchObject({ cache: 'miss', provider_id: world.providerId, model: CHAT_MODEL });
    expect(missLog.json.attempts).toHaveLength(1);
    expect(hitLog.status, hitLog.text).toBe(200);
    expect(hitLog.json).toMatchObject({ cache: 'hit', provider_id: world.providerId, model: CHAT_MODEL });
    expect(hitLog.json.attempts).toEqual([]);
    expect(hitLog.json.tokens).toEqual(missLog.json.tokens);
  });
});

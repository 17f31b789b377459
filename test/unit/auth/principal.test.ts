import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { presentedKey } from '../../../lib/auth/api-key.js';
import { principalFromEvent, toAuthorizerContext } from '../../../lib/auth/principal.js';
import { PrincipalCache } from '../../../lib/auth/principal-cache.js';
import type { Principal } from '../../../lib/auth/roles.js';
import { UnauthorizedError } from '../../../lib/errors.js';

const event = (authorizer: Record<string, unknown> | null) =>
  ({ requestContext: { authorizer } }) as unknown as Pick<APIGatewayProxyEvent, 'requestContext'>;

describe('principal: through the authorizer context and back', () => {
  it('round-trips role, both scopes and the rate limit (API Gateway passes strings only)', () => {
    const principal: Principal = {
      keyId: 'key_01m8bwjkr672zknf0jar5m8r48',
      role: 'invoke',
      providerIds: ['prov_a', 'prov_b'],
      modelIds: ['meta-llama/Llama-3.1-8B'],
      rateLimitRpm: 600,
      expiresAt: '2026-12-01T00:00:00.000Z',
    };
    const context = toAuthorizerContext(principal);
    expect(Object.values(context).every((v) => typeof v === 'string')).toBe(true);
    expect(principalFromEvent(event({ principalId: principal.keyId, ...context }))).toEqual(principal);
    expect(principalFromEvent(event({ ...context, rateLimitRpm: 600 })).rateLimitRpm).toBe(600);
  });

  it('round-trips the team and its limits, and an empty scope list (a team narrowed to nothing)', () => {
    const principal: Principal = {
      keyId: 'key_01m8bwjkr672zknf0jar5m8r48',
      role: 'operator',
      providerIds: [],
      teamId: 'team_01m8bwjkr672zknf0jar5m8r48',
      teamRateLimitRpm: 1_200,
      teamRateLimitTpm: 2_000_000,
    };
    expect(principalFromEvent(event(toAuthorizerContext(principal)))).toEqual(principal);
    const context = toAuthorizerContext(principal);
    expect(() => principalFromEvent(event({ ...context, teamId: 'team of mine' }))).toThrow(
      UnauthorizedError,
    );
  });

  it('refuses a missing or malformed context with the generic 401', () => {
    for (const context of [
      null,
      {},
      { keyId: 'key_x', role: 'root' },
      { keyId: 'key_x', role: 'viewer', providerIds: '{not json' },
      { keyId: 'key_x', role: 'viewer', providerIds: '[1,2]' },
      { keyId: 'key_x', role: 'viewer', expiresAt: 'someday' },
    ]) {
      expect(() => principalFromEvent(event(context)), JSON.stringify(context)).toThrow(UnauthorizedError);
    }
  });
});

describe('principal cache: positive entries only, bounded', () => {
  const p: Principal = { keyId: 'key_a', role: 'viewer' };

  it('serves an entry until its end and never after', () => {
    const cache = new PrincipalCache();
    cache.set('h1', p, 1_000, 0);
    expect(cache.get('h1', 999)).toEqual(p);
    expect(cache.get('h1', 1_000)).toBeUndefined();
    cache.set('h2', p, 5, 10);
    expect(cache.get('h2', 10)).toBeUndefined();
  });

  it('evicts the oldest entry beyond its bound', () => {
    const cache = new PrincipalCache(2);
    cache.set('a', p, 100, 0);
    cache.set('b', p, 100, 0);
    cache.set('c', p, 100, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('c', 1)).toEqual(p);
  });
});

describe('presented key: Bearer (OpenAI SDK) or x-api-key (Anthropic SDK)', () => {
  const key = 'gk_presented_key_00000000000000000000';
  it('reads either header, case-insensitively, and ignores malformed ones', () => {
    expect(presentedKey({ Authorization: `Bearer ${key}` })).toBe(key);
    expect(presentedKey({ 'X-API-Key': key })).toBe(key);
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({ authorization: 'Bearer short' })).toBeUndefined();
    expect(presentedKey({ 'x-api-key': `${key}\u0000` })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});

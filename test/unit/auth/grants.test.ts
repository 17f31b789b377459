import { describe, expect, it } from 'vitest';
import { grantExcess, grantWithin, roleWithin } from '../../../lib/auth/grants.js';
import type { Principal, Role } from '../../../lib/auth/roles.js';
import { assertWithinCaller } from '../../../lib/services/api-keys/service.js';

const caller = (role: Role, scope: Partial<Principal> = {}): Principal => ({
  keyId: 'key_caller',
  role,
  ...scope,
});

describe('grants: role containment comes from ACCESS', () => {
  it.each([
    ['admin', 'admin', true],
    ['operator', 'admin', true],
    ['viewer', 'operator', true],
    ['invoke', 'operator', true],
    ['admin', 'operator', false],
    ['operator', 'viewer', false],
    ['viewer', 'invoke', false],
    ['invoke', 'viewer', false],
    ['viewer', 'viewer', true],
  ] as const)('%s within %s: %s', (child, parent, expected) => {
    expect(roleWithin(child, parent)).toBe(expected);
  });
});

describe('grants: scopes', () => {
  it('lets an unscoped parent grant any scope, and a scoped one only a subset', () => {
    expect(grantWithin({ role: 'viewer', providerIds: ['p1'] }, { role: 'admin' })).toBe(true);
    expect(
      grantWithin({ role: 'viewer', providerIds: ['p1'] }, { role: 'admin', providerIds: ['p1', 'p2'] }),
    ).toBe(true);
    expect(grantExcess({ role: 'viewer' }, { role: 'admin', providerIds: ['p1'] })).toEqual(['provider_ids']);
    expect(
      grantExcess({ role: 'viewer', providerIds: ['p3'] }, { role: 'admin', providerIds: ['p1'] }),
    ).toEqual(['provider_ids']);
  });

  it('checks both dimensions and the role independently', () => {
    expect(
      grantExcess({ role: 'admin', providerIds: ['p1'] }, { role: 'operator', modelIds: ['m1'] }),
    ).toEqual(['role', 'model_ids']);
    expect(grantExcess({ role: 'viewer', modelIds: ['m1'] }, { role: 'viewer', modelIds: ['m1'] })).toEqual(
      [],
    );
  });
});

describe('grants: time and rate limits', () => {
  const tomorrow = '2026-11-27T00:00:00.000Z';
  const nextWeek = '2026-12-03T00:00:00.000Z';

  it('lets an expiring key grant only keys that expire no later', () => {
    const parent = { role: 'admin' as const, expiresAt: tomorrow };
    expect(grantExcess({ role: 'viewer' }, parent)).toEqual(['expires_at']);
    expect(grantExcess({ role: 'viewer', expiresAt: nextWeek }, parent)).toEqual(['expires_at']);
    expect(grantExcess({ role: 'viewer', expiresAt: tomorrow }, parent)).toEqual([]);
    expect(grantExcess({ role: 'viewer', expiresAt: nextWeek }, { role: 'admin' })).toEqual([]);
  });

  it('lets a rate-limited key grant only keys limited at least as much', () => {
    const parent = { role: 'admin' as const, rateLimitRpm: 60 };
    expect(grantExcess({ role: 'viewer' }, parent)).toEqual(['rate_limit_rpm']);
    expect(grantExcess({ role: 'viewer', rateLimitRpm: 61 }, parent)).toEqual(['rate_limit_rpm']);
    expect(grantExcess({ role: 'viewer', rateLimitRpm: 60 }, parent)).toEqual([]);
  });
});

describe('grants: the service refuses wider keys whatever the caller role', () => {
  const refused = (requested: Parameters<typeof assertWithinCaller>[0], by: Principal) => {
    try {
      assertWithinCaller(requested, by);
      return null;
    } catch (error) {
      return error as { statusCode: number; code: string; details: unknown };
    }
  };

  it('lets no operator, viewer or invoke key mint a key above its own role', () => {
    const cases: Array<[Role, Role]> = [
      ['operator', 'admin'],
      ['viewer', 'operator'],
      ['viewer', 'invoke'],
      ['invoke', 'viewer'],
      ['invoke', 'admin'],
    ];
    for (const [maker, wanted] of cases) {
      const error = refused({ role: wanted }, caller(maker));
      expect(error, `${maker} -> ${wanted}`).toMatchObject({
        statusCode: 403,
        code: 'key_exceeds_caller',
        details: { fields: ['role'] },
      });
    }
    expect(refused({ role: 'viewer' }, caller('operator'))).toBeNull();
    expect(refused({ role: 'invoke' }, caller('invoke'))).toBeNull();
  });

  it('lets no scoped key mint an unscoped or differently scoped one', () => {
    const scoped = caller('operator', { providerIds: ['prov_a'], modelIds: ['gpt-4o'] });
    expect(refused({ role: 'viewer' }, scoped)?.details).toEqual({ fields: ['provider_ids', 'model_ids'] });
    expect(refused({ role: 'viewer', providerIds: ['prov_a'] }, scoped)?.details).toEqual({
      fields: ['model_ids'],
    });
    expect(refused({ role: 'viewer', providerIds: ['prov_a'], modelIds: ['gpt-4o'] }, scoped)).toBeNull();
  });
});

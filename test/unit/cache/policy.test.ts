import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../lib/auth/roles.js';
import { GatewayError } from '../../../lib/errors.js';
import { assertMaySetCacheNamespace, cachePolicy } from '../../../lib/services/cache/policy.js';

const config = { CACHE_MODE: 'read_write' as const, CACHE_TTL_SECONDS: 3600 };
const key = (over: Partial<Principal> = {}): Principal => ({ keyId: 'key_a', role: 'invoke', ...over });

describe('cache policy', () => {
  it('takes the key over the rule over the gateway, and lets off win from either', () => {
    const rule = { mode: 'read_only' as const, ttl_seconds: 60 };
    expect(cachePolicy(config, { principal: key(), rule, headers: {} })).toMatchObject({
      read: true,
      write: false,
      ttlSeconds: 60,
    });
    const keyed = key({ cache: { mode: 'read_write', ttl_seconds: 30 } });
    expect(cachePolicy(config, { principal: keyed, rule, headers: {} })).toMatchObject({
      write: true,
      ttlSeconds: 30,
    });
    const off = cachePolicy(config, { principal: keyed, rule: { mode: 'off' }, headers: {} });
    expect(off).toMatchObject({ read: false, write: false });
  });

  it('lets headers narrow but never widen, and caps the TTL', () => {
    const readOnly = key({ cache: { mode: 'read_only' } });
    expect(
      cachePolicy(config, { principal: readOnly, headers: { 'x-gateway-cache': 'refresh' } }),
    ).toMatchObject({
      read: false,
      write: false,
    });
    expect(
      cachePolicy(config, { principal: key(), headers: { 'x-gateway-cache': 'no-store' } }),
    ).toMatchObject({
      read: true,
      write: false,
    });
    expect(
      cachePolicy(
        { ...config, CACHE_MODE: 'off' },
        { principal: key(), headers: { 'x-gateway-cache': 'refresh' } },
      ),
    ).toMatchObject({ read: false, write: false });
    expect(
      cachePolicy(config, { principal: key(), headers: { 'x-gateway-cache-ttl': '99999' } }).ttlSeconds,
    ).toBe(3600);
  });

  it('places a caller in its team, its key or global, and never a scoped key in global', () => {
    const ns = (principal: Principal, namespace?: 'default' | 'key' | 'global') =>
      cachePolicy(config, { principal, rule: namespace ? { namespace } : null, headers: {} }).namespace;
    expect(ns(key())).toBe('key_a');
    expect(ns(key({ teamId: 'team_x' }))).toBe('team_x');
    expect(ns(key({ teamId: 'team_x' }), 'key')).toBe('key_a');
    expect(ns(key(), 'global')).toBe('global');
    expect(ns(key({ modelIds: ['m'] }), 'global')).toBe('key_a');
    expect(ns(key({ teamId: 'team_x' }), 'global')).toBe('team_x');
  });

  it('refuses malformed headers with 400 and global settings from anyone but an unscoped admin', () => {
    const bad = (headers: Record<string, string>) => () => cachePolicy(config, { principal: key(), headers });
    expect(bad({ 'x-gateway-cache': 'always' })).toThrow(GatewayError);
    expect(bad({ 'x-gateway-cache-ttl': '1.5' })).toThrow(GatewayError);
    expect(bad({ 'x-gateway-cache-ttl': '0' })).toThrow(GatewayError);
    const global = { namespace: 'global' as const };
    expect(() => assertMaySetCacheNamespace(key({ role: 'operator' }), global)).toThrow(/unscoped admin/);
    expect(() => assertMaySetCacheNamespace(key({ role: 'admin', providerIds: ['p'] }), global)).toThrow();
    expect(() => assertMaySetCacheNamespace(key({ role: 'admin' }), global)).not.toThrow();
  });
});

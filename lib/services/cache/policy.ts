/**
 * What the response cache may do for one request: the gateway's `CACHE_MODE` / `CACHE_TTL_SECONDS`,
 * overridden by the matched routing rule's `cache` setting, then by the API key's, then narrowed by
 * the request's own `x-gateway-cache` / `x-gateway-cache-ttl` headers (which can never widen).
 */
import type { Principal } from '../../auth/roles.js';
import { isScoped } from '../../auth/scope.js';
import type { Config } from '../../config.js';
import { BadRequestError, ForbiddenError } from '../../errors.js';
import type { CacheSetting } from '../../schemas/cache.js';
import { CACHE_DIRECTIVES } from '../../schemas/vocabulary.js';

/** What the cache does for a request. */
export interface CachePolicy {
  /** Look the request up (and answer a hit from the cache). */
  read: boolean;
  /** Store a complete successful answer of a miss (after the response). */
  write: boolean;
  /** Seconds a stored answer is served. */
  ttlSeconds: number;
  /** The partition the request reads and writes: `global`, the key's team id or the key's id. */
  namespace: string;
}

type Directive = (typeof CACHE_DIRECTIVES)[number];

/**
 * The namespace a setting gives a caller. `global` only for an unscoped key: a scoped key's answers
 * may come from providers or models other keys may not use, and it may not fill what they read.
 */
export function namespaceOf(principal: Principal, setting: CacheSetting['namespace']): string {
  if (setting === 'global' && !isScoped(principal)) return 'global';
  if (setting === 'key') return principal.keyId;
  return principal.teamId ?? principal.keyId;
}

function directiveOf(headers: Record<string, string>): Directive | undefined {
  const raw = headers['x-gateway-cache']?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if ((CACHE_DIRECTIVES as readonly string[]).includes(raw)) return raw as Directive;
  throw new BadRequestError('x-gateway-cache must be no-store, no-cache or refresh.', {
    code: 'invalid_cache_directive',
  });
}

function ttlHeaderOf(headers: Record<string, string>): number | undefined {
  const raw = headers['x-gateway-cache-ttl']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seconds = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds >= 1)) {
    throw new BadRequestError('x-gateway-cache-ttl must be a whole number of seconds, at least 1.', {
      code: 'invalid_cache_ttl',
    });
  }
  return seconds;
}

/**
 * The policy of one request. `off` from the rule or the key wins; otherwise the key's mode, else the
 * rule's, else the gateway's. Headers: `no-store` reads but never stores, `no-cache` neither reads
 * nor stores, `refresh` skips the read and replaces the entry (only where the mode writes);
 * `x-gateway-cache-ttl` can only shorten the TTL.
 *
 * @throws BadRequestError (400) for an unknown directive or a TTL that is not a positive integer.
 */
export function cachePolicy(
  config: Pick<Config, 'CACHE_MODE' | 'CACHE_TTL_SECONDS'>,
  input: { principal: Principal; rule?: CacheSetting | null | undefined; headers: Record<string, string> },
): CachePolicy {
  const key = input.principal.cache;
  const rule = input.rule ?? undefined;
  const directive = directiveOf(input.headers);
  const ttlHeader = ttlHeaderOf(input.headers);
  const mode =
    key?.mode === 'off' || rule?.mode === 'off' ? 'off' : (key?.mode ?? rule?.mode ?? config.CACHE_MODE);
  const ttl = key?.ttl_seconds ?? rule?.ttl_seconds ?? config.CACHE_TTL_SECONDS;
  return {
    read: mode !== 'off' && directive !== 'no-cache' && directive !== 'refresh',
    write: mode === 'read_write' && directive !== 'no-store' && directive !== 'no-cache',
    ttlSeconds: ttlHeader === undefined ? ttl : Math.min(ttl, ttlHeader),
    namespace: namespaceOf(input.principal, key?.namespace ?? rule?.namespace),
  };
}

/**
 * Refuses a `cache` setting with `namespace: global` from anyone but an unscoped admin (403,
 * audited): the global namespace lets one caller read answers another wrote, so only the holder of
 * every provider and model may open it (`docs/cache.md`, "Who may share").
 */
export function assertMaySetCacheNamespace(
  principal: Principal,
  setting: CacheSetting | null | undefined,
  target?: string,
): void {
  if (setting?.namespace !== 'global') return;
  if (principal.role === 'admin' && !isScoped(principal)) return;
  throw new ForbiddenError('Only an unscoped admin key may set the global cache namespace.', {
    code: 'cache_namespace_refused',
    refusal: { reason: 'cache_namespace', fields: ['cache.namespace'], ...(target ? { target } : {}) },
  });
}

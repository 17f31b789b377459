import type { CacheSetting } from '../schemas/cache.js';
import { CACHE_MODES, CACHE_NAMESPACES } from '../schemas/vocabulary.js';

/** As `MAX_CACHE_TTL_SECONDS` of the schema (not imported: that module builds zod schemas). */
const MAX_TTL_SECONDS = 2_592_000;

/**
 * A stored (or authorizer-passed) `cache` setting read back without building a schema (every
 * function reads principals): only known fields with valid values are kept; `null` when none is
 * left. Values were validated on write (`lib/schemas/cache.ts`); this guards against drift.
 */
export function readCacheSetting(raw: unknown): CacheSetting | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const source = raw as Record<string, unknown>;
  const out: CacheSetting = {};
  if ((CACHE_MODES as readonly unknown[]).includes(source.mode))
    out.mode = source.mode as CacheSetting['mode'];
  const ttl = source.ttl_seconds;
  if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_TTL_SECONDS)
    out.ttl_seconds = ttl;
  if ((CACHE_NAMESPACES as readonly unknown[]).includes(source.namespace))
    out.namespace = source.namespace as CacheSetting['namespace'];
  return Object.keys(out).length > 0 ? out : null;
}

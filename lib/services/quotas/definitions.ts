import { cached, forgetCached } from '../../runtime/cache.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { keys } from '../../store/keys.js';
import { isQuotaItem, toQuota } from './mapper.js';

/**
 * How long quota definitions and states are reused by one container: under the 5 s bound, leaving
 * a second for the change stream and the enforcer, so a crossing blocks within 5 s of the write.
 */
export const QUOTA_CACHE_MS = 4_000;

/**
 * The active quotas watching one scope key, from gsi1 `QUOTA_SCOPE#<scope key>`, cached for
 * {@link QUOTA_CACHE_MS}. A quota created in the last moments may be missed once; its creation
 * evaluates it anyway.
 */
export function quotasOfScope(deps: Gateway, scopeKey: string): Promise<Quota[]> {
  return cached(deps, `quota:scope:${scopeKey}`, QUOTA_CACHE_MS, async () => {
    const items = await deps.table.queryAll({ index: 'gsi1', partition: keys.quotaScopePartition(scopeKey) });
    return items
      .filter(isQuotaItem)
      .map(toQuota)
      .filter((q) => q.is_active);
  });
}

/** Forgets cached quota definitions and states (a quota changed in this container). */
export function forgetQuotaCaches(deps: Gateway): void {
  forgetCached(deps, 'quota:');
}

import * as z from 'zod';
import { ID_PATTERN } from '../ids.js';
import { modelIdSchema } from './models.js';
import { CACHE_MODES, CACHE_NAMESPACES } from './vocabulary.js';

/** Longest time an answer may stay cached: 30 days (also `CACHE_TTL_SECONDS`'s bound). */
export const MAX_CACHE_TTL_SECONDS = 2_592_000;

/**
 * The `cache` setting of an API key or a routing rule: each field given overrides the gateway's
 * `CACHE_MODE` / `CACHE_TTL_SECONDS` for the requests it applies to (`docs/cache.md`).
 */
export const cacheSetting = z
  .strictObject({
    mode: z.enum(CACHE_MODES).optional(),
    ttl_seconds: z.number().int().min(1).max(MAX_CACHE_TTL_SECONDS).optional(),
    namespace: z.enum(CACHE_NAMESPACES).optional().meta({
      description:
        "`default`: the key's team, else the key; `key`: the key alone; `global`: shared by every caller that chose it (unscoped keys only, set by an unscoped admin).",
    }),
  })
  .meta({ description: 'Response cache override (docs/cache.md); omitted fields keep the gateway default.' });
export type CacheSetting = z.infer<typeof cacheSetting>;

/** A cache namespace as `DELETE /api/cache` names it: `global`, a key id or a team id. */
export const cacheNamespaceName = z
  .string()
  .refine((v) => v === 'global' || ID_PATTERN.test(v), 'is `global`, an API key id or a team id');

export const cachePurge = z
  .strictObject({
    namespace: cacheNamespaceName.optional().meta({
      description:
        'Drop this namespace (`global`, an API key id or a team id); with `model`, only that model.',
    }),
    model: modelIdSchema.optional().meta({
      description:
        "Drop this model's entries (in every namespace the caller may reach, unless `namespace` is given).",
    }),
  })
  .refine((b) => b.namespace !== undefined || b.model !== undefined, 'give a namespace, a model or both');
export type CachePurge = z.infer<typeof cachePurge>;

export const cachePurgeResult = z.object({
  deleted: z.number().int().meta({ description: 'Cache entries removed.' }),
  namespaces: z.number().int().meta({ description: 'Namespaces visited.' }),
});

/**
 * `DELETE /api/cache`: drops a namespace's entries, one model's entries in it, or one model's
 * entries in every namespace (through the model's namespace index). Reads go partition by
 * partition, page by page; nothing scans the table. Each purge writes one audit record.
 */
import type { Principal } from '../../auth/roles.js';
import { isScoped } from '../../auth/scope.js';
import { newId } from '../../ids.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { CachePurge } from '../../schemas/cache.js';
import { cacheShards, keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { type Actor, actorAttributes, canSeeModel, outOfScope } from '../actor.js';

/** Entries read (and deleted) per page: each may be up to ~380 KB, a page stays near DynamoDB's 1 MB. */
const PAGE = 25;
/** How long a purge record lives: it exists only to become one audit event. */
const PURGE_RECORD_TTL_SECONDS = 86_400;

/** The namespaces a scoped caller may purge: its key's and its team's. */
function ownNamespaces(principal: Principal): string[] {
  return [principal.keyId, ...(principal.teamId ? [principal.teamId] : [])];
}

/**
 * The namespaces a purge visits. An unscoped caller may name any namespace, and a model alone means
 * every namespace holding it; a scoped caller reaches only its own key's and team's namespaces, and
 * only models inside its scope: anything else is the 404 of a missing namespace (audited).
 */
async function namespacesOf(deps: Gateway, body: CachePurge, principal: Principal): Promise<string[]> {
  if (body.model !== undefined && !canSeeModel(principal, body.model)) throw outOfScope('Model', body.model);
  const scoped = isScoped(principal);
  if (body.namespace !== undefined) {
    if (scoped && !ownNamespaces(principal).includes(body.namespace))
      throw outOfScope('Cache namespace', body.namespace);
    return [body.namespace];
  }
  if (scoped) return ownNamespaces(principal);
  const index = await deps.table.queryAll(keys.cacheModelNamespaces(body.model as string));
  return index.map((item) => item.sk);
}

/**
 * Deletes every entry of a namespace (or of one model in it), in every shard and in the unsharded
 * partition of earlier versions; returns how many.
 */
async function dropEntries(deps: Gateway, namespace: string, model: string | undefined): Promise<number> {
  const counts = await Promise.all(
    cacheShards().map(async (shard) => {
      let deleted = 0;
      let cursor: string | undefined;
      do {
        const page = await deps.table.queryPage({
          ...keys.cacheEntries(namespace, model, shard),
          limit: PAGE,
          cursor,
        });
        await deps.table.batchWrite(page.items.map((item) => ({ delete: { pk: item.pk, sk: item.sk } })));
        deleted += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return deleted;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Purges cache entries as `body` says, within what the caller may reach.
 *
 * @returns how many entries were deleted and how many namespaces were visited.
 * @throws NotFoundError for a namespace or model outside a scoped caller's reach; the store's errors.
 */
export async function purgeCache(
  deps: Gateway,
  input: { body: CachePurge; principal: Principal; actor: Actor },
): Promise<{ deleted: number; namespaces: number }> {
  const { body } = input;
  const namespaces = await namespacesOf(deps, body, input.principal);
  let deleted = 0;
  for (const namespace of namespaces) deleted += await dropEntries(deps, namespace, body.model);
  const now = deps.now();
  await deps.table.put({
    ...keys.cachePurge(newId('purge', now)),
    entity: 'cache_purge',
    namespace: body.namespace ?? null,
    model: body.model ?? null,
    deleted,
    namespaces: namespaces.length,
    ...actorAttributes(input.actor),
    [TABLE_SCHEMA.ttlAttribute]: Math.floor(now / 1000) + PURGE_RECORD_TTL_SECONDS,
  });
  return { deleted, namespaces: namespaces.length };
}

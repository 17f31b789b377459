/**
 * Response-cache entries in sharded partitions: one namespace's entries spread over many
 * partitions, lookups still hit, and a purge drops every shard's entries and those stored before
 * the shards (the one `CACHE#<namespace>` partition).
 */
import { describe, expect, it } from 'vitest';
import { cacheShards, keys } from '../../lib/store/keys.js';
import { chatBody, useCacheWorld } from './cache-fixtures.js';

const world = useCacheWorld();

const ask = (text: string, key: string) =>
  world.call('POST', '/v1/chat/completions', { body: chatBody(text), key });

async function entriesOf(namespace: string) {
  const parts = await Promise.all(
    cacheShards().map((shard) =>
      world.gw.runtime.deps.table.queryAll(keys.cacheEntries(namespace, undefined, shard)),
    ),
  );
  return parts.flat();
}

describe('cache shards', () => {
  it("spreads one namespace's entries over its shards, answers hits, and a purge drops old and new entries", async () => {
    const k = await world.newKey();
    for (let i = 0; i < 12; i++) expect((await ask(`prompt ${i}`, k.key)).status).toBe(200);
    const stored = await entriesOf(k.id);
    expect(stored).toHaveLength(12);
    expect(new Set(stored.map((e) => e.pk)).size).toBeGreaterThan(6);
    expect((await ask('prompt 3', k.key)).headers.get('x-gateway-cache')).toBe('hit');
    // An entry as versions before the shards stored it (unsharded partition).
    const old = stored[0]!;
    await world.gw.runtime.deps.table.put({ ...old, pk: keys.cachePartition(k.id, undefined) });
    expect(await entriesOf(k.id)).toHaveLength(13);

    const purged = await world.call('DELETE', '/api/cache', { body: { namespace: k.id } });

    expect(purged.status, purged.text).toBe(200);
    expect(purged.json.deleted).toBe(13);
    expect(await entriesOf(k.id)).toHaveLength(0);
    expect((await ask('prompt 3', k.key)).headers.get('x-gateway-cache')).toBe('miss');
  });
});

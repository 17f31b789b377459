import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writerShard } from '../../../lib/services/usage/shards.js';
import { keys, USAGE_SHARDS, usageShards } from '../../../lib/store/keys.js';

describe('usage shards: where a writer writes', () => {
  it('keeps a writer on one home shard, and spreads writers evenly over every shard', () => {
    const writers = Array.from({ length: 12_800 }, () => randomBytes(6).toString('hex'));
    const perShard = new Array<number>(USAGE_SHARDS).fill(0);
    for (const w of writers) {
      const home = writerShard(w, 1, 0);
      // Stable: the same writer, any offset with a spread of 1, the same shard.
      expect(writerShard(w, 1, 7)).toBe(home);
      expect(home).toBeGreaterThanOrEqual(0);
      expect(home).toBeLessThan(USAGE_SHARDS);
      perShard[home]! += 1;
    }
    // 100 writers a shard on average; a uniform hash keeps every shard within ±50 % of it.
    expect(Math.min(...perShard)).toBeGreaterThan(50);
    expect(Math.max(...perShard)).toBeLessThan(150);
  });

  it('spreads one writer over `spread` consecutive shards from its home, wrapping at the last', () => {
    const w = 'feedbeef0001';
    const home = writerShard(w, 1, 0);
    const used = new Set(Array.from({ length: 40 }, (_, i) => writerShard(w, 4, i)));
    expect([...used].sort((a, b) => a - b)).toEqual(
      [0, 1, 2, 3].map((i) => (home + i) % USAGE_SHARDS).sort((a, b) => a - b),
    );
    // A spread past the shard count is clamped: every shard, none outside.
    const all = new Set(Array.from({ length: 1000 }, (_, i) => writerShard(w, 10_000, i)));
    expect(all.size).toBe(USAGE_SHARDS);
  });

  it('keys a shard into the partition, and reads the unsharded partition of earlier versions too', () => {
    expect(keys.usagePartition('prov_a', 7)).toBe('USAGE#prov_a#007');
    expect(keys.usagePartition('prov_a', undefined)).toBe('USAGE#prov_a');
    const counter = {
      providerId: 'prov_a',
      granularity: 'H' as const,
      bucket: '2031-06-01T13',
      dimensions: 'm=x',
      shard: 7,
    };
    expect(keys.usageCounter(counter).pk).toBe('USAGE#prov_a#007');
    expect(keys.usageCounter({ ...counter, legacy: true }).pk).toBe('USAGE#prov_a');
    expect(keys.usageRollupIndexPartition('D', '2031-06-01', 7)).toBe('USAGE_DAYS#2031-06#007');
    expect(keys.usageRollupIndexPartition('M', '2031-06', undefined)).toBe('USAGE_MONTHS#2031');
    const shards = usageShards();
    expect(shards).toHaveLength(USAGE_SHARDS + 1);
    expect(new Set(shards.map((s) => keys.usagePartition('p', s))).size).toBe(USAGE_SHARDS + 1);
  });
});

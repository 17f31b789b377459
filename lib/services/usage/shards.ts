import { shardOfId, USAGE_SHARDS } from '../../store/keys.js';

/**
 * The usage shard a writer's next batch goes to: the writer's home shard (a hash of its id), plus
 * `offset` (0 ≤ offset < spread), wrapping at {@link USAGE_SHARDS}.
 *
 * Why a home shard rather than a random one: a counter item keeps one idempotency mark per writer
 * that wrote it (`w_<writer>`, ≈ 17 bytes), and DynamoDB bills a write by the item's size. With a
 * random shard every writer reaches every item, so at C concurrent writers (Lambda containers) an
 * item holds C marks (C = 10,000: ≈ 170 KB, 170 write units a write, and past ≈ 23,000 the item
 * would exceed DynamoDB's 400 KB). Keeping to a home shard spreads writers evenly (a uniform hash)
 * and bounds the marks of an item to ≈ C × spread / USAGE_SHARDS. `spread` > 1 lets one busy
 * long-lived writer (the local runtime) spread its writes over that many consecutive shards.
 *
 * @param spread shards this writer uses, 1 … USAGE_SHARDS (clamped).
 * @param offset which of them, 0 … spread − 1 (reduced modulo `spread`).
 */
export function writerShard(writer: string, spread: number, offset: number): number {
  const home = shardOfId(writer, USAGE_SHARDS);
  const width = Math.min(USAGE_SHARDS, Math.max(1, Math.trunc(spread)));
  return (home + (Math.abs(Math.trunc(offset)) % width)) % USAGE_SHARDS;
}

import type { Gateway } from '../../runtime/gateway.js';
import { keys, usageShards } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import type { IndexName } from '../../store/table-schema.js';

/** Rollup items read at most per call (bounds a runaway analytics query: ~1 MB per page). */
const MAX_PAGES = 200;

/** Thrown when a range holds more rollups than one call reads. */
export class RangeTooLargeError extends Error {
  override name = 'RangeTooLargeError';
}

async function queryBetween(
  deps: Gateway,
  input: { index?: IndexName; partition: string; lower: string; upper: string },
): Promise<Item[]> {
  const { items, complete } = await deps.table.queryPages(
    {
      ...(input.index ? { index: input.index } : {}),
      partition: input.partition,
      skRange: { from: input.lower, to: input.upper },
    },
    // Base-table reads are strongly consistent (the enforcer reads right after its writes).
    { maxPages: MAX_PAGES, consistent: true },
  );
  if (!complete) throw new RangeTooLargeError('The usage range holds too many rows; narrow it.');
  return items;
}

/** Which rollups to read: a period, an inclusive bucket range and optionally one provider. */
export interface RollupQuery {
  /** `D`: daily rollups (hour entries); `M`: monthly rollups (day entries). */
  period: 'D' | 'M';
  /** First and last bucket (`yyyy-mm-dd` for D, `yyyy-mm` for M), inclusive. */
  from: string;
  to: string;
  /** One provider's partition; without it, every provider's rollups through gsi1. */
  providerId?: string | undefined;
  /** Only these usage shards (`undefined`: the unsharded partition); default every shard. */
  shards?: ReadonlyArray<number | undefined> | undefined;
}

/** The gsi1 partitions (months for D, years for M) that hold buckets `from`..`to`. */
function indexPartitions(query: RollupQuery): Array<{ from: string; to: string }> {
  const width = query.period === 'D' ? 7 : 4;
  const out: Array<{ from: string; to: string }> = [];
  let cursor = query.from;
  while (cursor <= query.to) {
    const container = cursor.slice(0, width);
    const last = query.to.slice(0, width) === container ? query.to : `${container}\uffff`;
    out.push({ from: cursor, to: last });
    cursor = nextContainerStart(container, query.period);
  }
  return out;
}

function nextContainerStart(container: string, period: 'D' | 'M'): string {
  if (period === 'M') return `${String(Number(container) + 1).padStart(4, '0')}-01`;
  const [y, m] = container.split('-').map(Number) as [number, number];
  const next = new Date(Date.UTC(y, m, 1)).toISOString();
  return next.slice(0, 10);
}

/**
 * Reads rollup items of a bucket range, from every usage shard (and the unsharded partitions of
 * earlier versions): range queries on a provider's shard partitions, or on gsi1 per month (daily
 * rollups) or per year (monthly rollups) and shard across providers. Each item holds one shard's
 * figures, so summing every item read is exact. The gsi1 reads are eventually consistent
 * (typically under a second behind).
 *
 * @throws RangeTooLargeError past {@link MAX_PAGES} pages per partition.
 */
export async function readRollups(deps: Gateway, query: RollupQuery): Promise<Item[]> {
  const { providerId } = query;
  if (providerId) {
    const parts = await Promise.all(
      (query.shards ?? usageShards()).map((shard) => {
        const range = keys.usageRollupRange(providerId, query.period, query.from, query.to, shard);
        return queryBetween(deps, { partition: range.pk, lower: range.lower, upper: range.upper });
      }),
    );
    return parts.flat();
  }
  const parts = await Promise.all(
    indexPartitions(query).flatMap((p) =>
      (query.shards ?? usageShards()).map((shard) => {
        const range = keys.usageRollupIndexRange(query.period, p.from, p.to, shard);
        return queryBetween(deps, {
          index: 'gsi1',
          partition: range.gsi1pk,
          lower: range.lower,
          upper: range.upper,
        });
      }),
    ),
  );
  return parts.flat();
}

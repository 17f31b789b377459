import type { Gateway } from '../../runtime/gateway.js';
import { keys, usageShards } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { InvalidCountersError, parseCounters } from './counters.js';
import { hourEntry, parseHourlyImage, rollUp, rollupShard } from './rollup.js';
import { hourOf, MS } from './time.js';

/** One rollup entry that was behind its counter, and what it holds now. */
export interface ReconcileFix {
  provider_id: string;
  hour: string;
  shard: number;
  dimensions: string;
  /** Requests the day's entry held before (0: it was missing) and after the fix. */
  requests_before: number;
  requests_after: number;
}

/** What {@link reconcileUsage} found. */
export interface ReconcileReport {
  /** First and last hour examined (`yyyy-mm-ddThh`, UTC). */
  from: string;
  to: string;
  providers: number;
  counters: number;
  fixed: ReconcileFix[];
  /** Counters that could not be read (malformed items); they are skipped. */
  unreadable: number;
}

/** The longest period one run examines: the hourly counters' retention. */
export const RECONCILE_MAX_HOURS = 35 * 24;

/**
 * Recomputes the daily and monthly rollups of a period from the hourly counters, the source of
 * truth: every counter of every provider in the catalog whose hour lies in `[fromMs, toMs]` is
 * compared with its entry in the day's rollup, and an entry that is missing or behind (a change
 * record lost with a killed local runtime, or a stream batch that ran out of retries) is rolled up
 * again, day then month. The rollup is a max-merge keyed by `requests`, so running it any number of
 * times, or while the stream delivers, changes nothing that is already right.
 *
 * Cost: one query per provider and, per counter group and day, one read of its daily rollup; the
 * fixes write as the stream would. Counters of deleted providers are not examined.
 *
 * @throws RangeError when the period is inverted or longer than {@link RECONCILE_MAX_HOURS}.
 */
export async function reconcileUsage(
  deps: Gateway,
  period: { fromMs: number; toMs: number },
): Promise<ReconcileReport> {
  const { fromMs, toMs } = period;
  if (!(toMs >= fromMs) || (toMs - fromMs) / MS.HOUR > RECONCILE_MAX_HOURS) {
    throw new RangeError(`a reconcile period runs forwards and spans at most ${RECONCILE_MAX_HOURS} hours`);
  }
  const from = hourOf(fromMs);
  const to = hourOf(toMs);
  const providers = await deps.table.queryAll({ index: 'gsi1', partition: keys.providersPartition() });
  const report: ReconcileReport = {
    from,
    to,
    providers: providers.length,
    counters: 0,
    fixed: [],
    unreadable: 0,
  };
  for (const provider of providers) {
    const providerId = String(provider.id ?? provider.provider_id ?? '');
    if (!providerId) continue;
    const counters = await hourlyCounters(deps, providerId, from, to);
    const dailies = new Map<string, Item | undefined>();
    for (const item of counters) {
      report.counters += 1;
      let source: ReturnType<typeof parseHourlyImage>;
      try {
        source = parseHourlyImage(item);
      } catch (error) {
        if (error instanceof InvalidCountersError) {
          report.unreadable += 1;
          continue;
        }
        throw error;
      }
      const dimensions = keys.usageDimensions(source);
      const dailyKey = keys.usageRollup({
        providerId,
        period: 'D',
        bucket: source.hour.slice(0, 10),
        dimensions,
        shard: rollupShard(source),
      });
      const name = `${dailyKey.pk}\u0000${dailyKey.sk}`;
      if (!dailies.has(name)) dailies.set(name, await deps.table.get(dailyKey));
      const entry = dailies.get(name)?.[hourEntry(source.hour, source.shard)];
      const before = entry === undefined ? 0 : parseCounters(entry).requests;
      if (before >= source.counters.requests) continue;
      const { daily } = await rollUp(deps, source);
      dailies.set(name, daily);
      report.fixed.push({
        provider_id: providerId,
        hour: source.hour,
        shard: source.shard,
        dimensions,
        requests_before: before,
        requests_after: source.counters.requests,
      });
    }
  }
  return report;
}

/** A provider's hourly counters of hours `from`..`to`, from every usage shard. */
async function hourlyCounters(deps: Gateway, providerId: string, from: string, to: string) {
  const shards = await Promise.all(
    usageShards().map((shard) => {
      const range = keys.usageHourlyRange(providerId, from, to, shard);
      return deps.table.queryAll({ partition: range.pk, skRange: { from: range.lower, to: range.upper } });
    }),
  );
  return shards.flat();
}

import type { Gateway } from '../../runtime/gateway.js';
import { type ItemKey, keys, USAGE_SHARDS } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { addCounters, type Counters, InvalidCountersError, parseCounters, zeroCounters } from './counters.js';

/** The state of one hourly counter, read from its change record's new image. */
export interface HourlySource {
  providerId: string;
  modelId: string;
  apiKeyId: string;
  serviceType: string;
  /** The calling key's team, when it has one. */
  teamId?: string | undefined;
  /** `yyyy-mm-ddThh` */
  hour: string;
  shard: number;
  /**
   * Stored as versions before usage shards keyed it (`USAGE#<pid>`, not `USAGE#<pid>#<shard>`): it
   * rolls up into the unsharded rollups of those versions, so no state is counted twice.
   */
  legacy: boolean;
  counters: Counters;
}

/** The rollup shard of a counter: its own, or none for a counter of earlier versions. */
export const rollupShard = (source: Pick<HourlySource, 'shard' | 'legacy'>) =>
  source.legacy ? undefined : source.shard;

const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
const HOUR_ENTRY = /^h\d{2}_\d{2,3}$/;
const DAY_ENTRY = /^d\d{2}$/;

function text(image: Record<string, unknown>, name: string): string {
  const value = image[name];
  if (typeof value !== 'string' || value === '') throw new InvalidCountersError(`${name} is missing`);
  return value;
}

/**
 * Reads an hourly counter's image (as written by `recordUsage`).
 *
 * @throws InvalidCountersError when a dimension, the hour, the shard or a counter is malformed.
 */
export function parseHourlyImage(image: Record<string, unknown>): HourlySource {
  const hour = text(image, 'hour');
  const shard = image.shard;
  if (!HOUR.test(hour)) throw new InvalidCountersError('hour is malformed');
  if (typeof shard !== 'number' || !Number.isInteger(shard) || shard < 0 || shard >= USAGE_SHARDS) {
    throw new InvalidCountersError('shard is malformed');
  }
  const teamId = image.team_id;
  if (teamId !== undefined && (typeof teamId !== 'string' || teamId === '')) {
    throw new InvalidCountersError('team_id is malformed');
  }
  const providerId = text(image, 'provider_id');
  return {
    providerId,
    modelId: text(image, 'model_id'),
    apiKeyId: text(image, 'api_key_id'),
    serviceType: text(image, 'service_type'),
    ...(teamId ? { teamId } : {}),
    hour,
    shard,
    legacy: image.pk === keys.usagePartition(providerId, undefined),
    counters: parseCounters(image),
  };
}

/** Attribute of a daily rollup holding one hour × shard, e.g. `h13_00` (`h13_127`). */
export const hourEntry = (hour: string, shard: number) =>
  `h${hour.slice(11, 13)}_${String(shard).padStart(2, '0')}`;
/** Attribute of a monthly rollup holding one day, e.g. `d26`. */
export const dayEntry = (day: string) => `d${day.slice(8, 10)}`;

/** The entries of a rollup item: hour × shard entries of a daily one, day entries of a monthly one. */
export function entriesOf(item: Record<string, unknown>): Array<{ name: string; counters: Counters }> {
  const pattern = String(item.sk ?? '').startsWith('D') ? HOUR_ENTRY : DAY_ENTRY;
  return Object.keys(item)
    .filter((name) => pattern.test(name))
    .map((name) => ({ name, counters: parseCounters(item[name]) }));
}

/** The sum of a rollup item's entries. */
export function totalOf(item: Record<string, unknown>): Counters {
  return entriesOf(item).reduce((sum, e) => addCounters(sum, e.counters), zeroCounters());
}

/**
 * Sets one entry of a rollup to a newer state of its source: the write applies only if the entry
 * is absent or holds fewer requests, so a replayed, duplicated or out-of-order record is a no-op
 * (a max-merge keyed by `requests`, which grows by one per recorded call). Returns the item after
 * the write (read back when the entry was already as new).
 */
async function mergeEntry(
  deps: Gateway,
  input: { key: ItemKey; entry: string; counters: Counters; attributes: Record<string, unknown> },
): Promise<Item> {
  const outcome = await deps.table.update({
    key: input.key,
    set: { [input.entry]: input.counters, ...input.attributes },
    condition: 'attribute_not_exists(#e) OR #e.#req < :req',
    names: { '#e': input.entry, '#req': 'requests' },
    values: { ':req': input.counters.requests },
    returnValues: 'ALL_NEW',
  });
  if (outcome.applied) return outcome.item as Item;
  // The entry already holds this state or a newer one: the item as stored is the answer.
  const current = await deps.table.get(input.key);
  if (!current) throw new Error(`rollup ${input.key.pk}/${input.key.sk} refused a write but reads as absent`);
  return current;
}

function attributesOf(source: HourlySource, period: 'D' | 'M', bucket: string, dimensions: string) {
  return {
    entity: period === 'D' ? 'usage_day' : 'usage_month',
    provider_id: source.providerId,
    model_id: source.modelId,
    api_key_id: source.apiKeyId,
    service_type: source.serviceType,
    ...(source.teamId ? { team_id: source.teamId } : {}),
    bucket,
    ...keys.usageRollupIndex({
      providerId: source.providerId,
      period,
      bucket,
      dimensions,
      shard: rollupShard(source),
    }),
  };
}

/**
 * Rolls one hourly counter state into its shard's day (entry per hour × shard) and then its
 * shard's month (entry per day, the day's total read back from the daily write), in the counter's
 * own partition (the stream lane that carried the change writes where the change was). Both writes are idempotent and
 * order-insensitive, so a batch may be replayed, split or retried freely; a crash between the two
 * writes heals on the retry because the monthly entry is taken from the daily item as stored.
 *
 * @returns the daily and monthly items as written (the enforcer reads its own writes from them).
 */
export async function rollUp(deps: Gateway, source: HourlySource): Promise<{ daily: Item; monthly: Item }> {
  const dimensions = keys.usageDimensions(source);
  const day = source.hour.slice(0, 10);
  const month = source.hour.slice(0, 7);
  const daily = await mergeEntry(deps, {
    key: keys.usageRollup({
      providerId: source.providerId,
      period: 'D',
      bucket: day,
      dimensions,
      shard: rollupShard(source),
    }),
    entry: hourEntry(source.hour, source.shard),
    counters: source.counters,
    attributes: attributesOf(source, 'D', day, dimensions),
  });
  const monthly = await mergeEntry(deps, {
    key: keys.usageRollup({
      providerId: source.providerId,
      period: 'M',
      bucket: month,
      dimensions,
      shard: rollupShard(source),
    }),
    entry: dayEntry(day),
    counters: totalOf(daily),
    attributes: attributesOf(source, 'M', month, dimensions),
  });
  return { daily, monthly };
}

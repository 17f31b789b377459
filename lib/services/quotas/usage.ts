import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import type { Item } from '../../store/table.js';
import { pointsOf } from '../usage/aggregate.js';
import { addCounters, type Counters, zeroCounters } from '../usage/counters.js';
import { readRollups } from '../usage/read.js';
import { totalOf } from '../usage/rollup.js';
import { bucketStart, dayOf, MS, monthOf } from '../usage/time.js';
import { quotaCovers } from './model.js';
import type { QuotaWindow } from './windows.js';

/** Rollup items this invocation wrote, by `pk`/`sk`: read-your-writes over eventually consistent gsi1. */
export type Overlay = Map<string, Item>;

/** The overlay key of an item. */
export const overlayKey = (item: Pick<Item, 'pk' | 'sk'>) => `${item.pk}\u0000${item.sk}`;

function dimensionsOf(item: Item) {
  return {
    providerId: String(item.provider_id),
    modelId: String(item.model_id),
    apiKeyId: String(item.api_key_id),
    teamId: typeof item.team_id === 'string' ? item.team_id : undefined,
  };
}

/**
 * Takes, per rollup item, the newest of what was read and what this invocation wrote (rollup
 * items only grow, so the one with more requests is the newer), and adds written items the read
 * did not return yet.
 */
function merge(read: Item[], overlay: Overlay | undefined, accept: (item: Item) => boolean): Item[] {
  if (!overlay?.size) return read;
  const byKey = new Map(read.map((item) => [overlayKey(item), item]));
  for (const [key, mine] of overlay) {
    if (!accept(mine)) continue;
    const theirs = byKey.get(key);
    if (!theirs || totalOf(mine).requests > totalOf(theirs).requests) byKey.set(key, mine);
  }
  return [...byKey.values()];
}

/**
 * Which rollups hold a window's usage, exactly: rollups count UTC hours (daily items) and UTC days
 * (monthly items), and every window starts and ends on a UTC hour. A window of up to 8 days (hour,
 * day, week) is read from daily rollups, hour by hour. A longer one (month, year) takes the UTC
 * days it covers whole from monthly rollups, and the hours of its partial first and last UTC days
 * (a local midnight that is not a UTC one) from those days' daily rollups.
 */
export interface RollupPlan {
  /** UTC days whose daily rollups are read (inclusive ranges of `yyyy-mm-dd`). */
  days: Array<{ from: string; to: string }>;
  /** UTC months whose monthly rollups are read (inclusive `yyyy-mm`), if any. */
  months?: { from: string; to: string };
  /** Whole UTC days counted from monthly rollups: [fullFromMs, fullToMs). */
  fullFromMs: number;
  fullToMs: number;
}

/** The {@link RollupPlan} of a window. Pure. */
export function rollupPlan(window: Pick<QuotaWindow, 'startMs' | 'endMs'>): RollupPlan {
  const { startMs, endMs } = window;
  if (endMs - startMs <= 8 * MS.DAY) {
    return { days: [{ from: dayOf(startMs), to: dayOf(endMs - 1) }], fullFromMs: endMs, fullToMs: endMs };
  }
  const floorDay = (ms: number) => bucketStart(dayOf(ms));
  const fullFromMs = floorDay(startMs) === startMs ? startMs : floorDay(startMs) + MS.DAY;
  const fullToMs = floorDay(endMs);
  const days: RollupPlan['days'] = [];
  if (startMs < fullFromMs) days.push({ from: dayOf(startMs), to: dayOf(startMs) });
  if (endMs > fullToMs) days.push({ from: dayOf(fullToMs), to: dayOf(fullToMs) });
  return { days, months: { from: monthOf(fullFromMs), to: monthOf(fullToMs - 1) }, fullFromMs, fullToMs };
}

/** Whether a rollup point counts in the window under its plan (no hour or day counted twice). */
function counts(period: string, startMs: number, window: QuotaWindow, plan: RollupPlan): boolean {
  if (startMs < window.startMs || startMs >= window.endMs) return false;
  const whole = startMs >= plan.fullFromMs && startMs < plan.fullToMs;
  return period === 'M' ? whole : !whole;
}

/** The usage shard a rollup item is stored in (`undefined`: the unsharded partition of earlier versions). */
export function shardOfRollup(item: Pick<Item, 'pk'>): number | undefined {
  const parts = String(item.pk).split('#');
  return parts.length >= 3 ? Number(parts[parts.length - 1]) : undefined;
}

/**
 * The counters a quota counted in a window: the rollup hours and days of the window (see
 * {@link RollupPlan}) of the dimensions the quota covers (provider, model, key, team), in every
 * usage shard or only in `shards`. Exact: derived from the rollups every time, so it never drifts
 * from them.
 */
export async function countedInWindow(
  deps: Gateway,
  input: {
    quota: Quota;
    window: QuotaWindow;
    overlay?: Overlay | undefined;
    shards?: ReadonlyArray<number | undefined> | undefined;
  },
): Promise<Counters> {
  const { quota, window, shards } = input;
  const plan = rollupPlan(window);
  const providerId = quota.provider_id ?? undefined;
  const reads = [
    ...plan.days.map((d) => readRollups(deps, { period: 'D', ...d, providerId, shards })),
    ...(plan.months ? [readRollups(deps, { period: 'M', ...plan.months, providerId, shards })] : []),
  ];
  const read = (await Promise.all(reads)).flat();
  const inPlan = (item: Item) => {
    const bucket = String(item.bucket);
    if (String(item.sk).startsWith('D')) return plan.days.some((d) => bucket >= d.from && bucket <= d.to);
    return plan.months !== undefined && bucket >= plan.months.from && bucket <= plan.months.to;
  };
  const inShards = (item: Item) => !shards || shards.includes(shardOfRollup(item));
  const accept = (item: Item) => inPlan(item) && inShards(item) && quotaCovers(quota, dimensionsOf(item));
  const sum = zeroCounters();
  for (const point of pointsOf(merge(read, input.overlay, accept).filter(accept))) {
    if (counts(String(point.item.sk)[0] ?? '', point.startMs, window, plan)) addCounters(sum, point.counters);
  }
  return sum;
}

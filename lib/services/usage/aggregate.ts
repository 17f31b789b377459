import type { Item } from '../../store/table.js';
import { addCounters, type Counters, zeroCounters } from './counters.js';
import { entriesOf } from './rollup.js';
import { bucketStart, MS } from './time.js';
import { nanosToUsd } from './units.js';

/** The period of a report's series rows (UTC). */
export type Granularity = 'hour' | 'day' | 'month';
/** The dimension a report's rows are split by (`provider` only across providers). */
export type GroupBy = 'model' | 'api_key' | 'service_type' | 'provider' | 'team';

/** The figures of a report row, in caller units: USD as a decimal number, audio in seconds. */
export interface UsageFigures {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  audio_seconds: number;
  characters: number;
  cost_usd: number;
  avg_latency_ms: number | null;
  unpriced_requests: number;
  images: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Requests answered from the response cache (part of `requests`). */
  cache_hits: number;
  /** `cache_hits / requests` (0–1, 4 decimals); `null` without requests. */
  cache_hit_rate: number | null;
  /** Tokens of the answers the cache replayed (not in input or output tokens). */
  cache_hit_tokens: number;
  /** What the cache hits would have cost, USD (not in `cost_usd`). */
  cost_saved_usd: number;
  cancelled: number;
}

/** Converts exact counters to report figures (cost from nano-USD, audio from milliseconds). */
export function figuresOf(c: Counters): UsageFigures {
  return {
    requests: c.requests,
    errors: c.errors,
    input_tokens: c.input_tokens,
    output_tokens: c.output_tokens,
    cached_input_tokens: c.cached_input_tokens,
    audio_seconds: c.audio_ms / 1000,
    characters: c.characters,
    cost_usd: nanosToUsd(c.cost_nanos),
    avg_latency_ms: c.requests ? Math.round((c.latency_ms_sum / c.requests) * 100) / 100 : null,
    unpriced_requests: c.unpriced_requests,
    images: c.images,
    cache_write_tokens: c.cache_write_tokens,
    reasoning_tokens: c.reasoning_tokens,
    cache_hits: c.cache_hits,
    cache_hit_rate: c.requests ? Math.round((c.cache_hits / c.requests) * 10_000) / 10_000 : null,
    cache_hit_tokens: c.cache_hit_tokens,
    cost_saved_usd: nanosToUsd(c.cost_saved_nanos),
    cancelled: c.cancelled,
  };
}

const GROUP_ATTRIBUTE: Record<GroupBy, string> = {
  model: 'model_id',
  api_key: 'api_key_id',
  service_type: 'service_type',
  provider: 'provider_id',
  team: 'team_id',
};

/** One point of a rollup: when it starts, which item it came from and its counters. */
export interface Point {
  startMs: number;
  item: Item;
  counters: Counters;
}

/** The time points inside rollup items: hours of daily rollups, days of monthly ones (UTC). */
export function pointsOf(items: Item[]): Point[] {
  const out: Point[] = [];
  for (const item of items) {
    const base = bucketStart(String(item.bucket));
    for (const entry of entriesOf(item)) {
      const offset =
        entry.name[0] === 'h'
          ? Number(entry.name.slice(1, 3)) * MS.HOUR
          : (Number(entry.name.slice(1, 3)) - 1) * MS.DAY;
      out.push({ startMs: base + offset, item, counters: entry.counters });
    }
  }
  return out;
}

/** The period a point falls into, as an ISO timestamp of the period's start. */
function periodOf(startMs: number, granularity: Granularity): string {
  const iso = new Date(startMs).toISOString();
  if (granularity === 'hour') return iso;
  if (granularity === 'day') return `${iso.slice(0, 10)}T00:00:00.000Z`;
  return `${iso.slice(0, 7)}-01T00:00:00.000Z`;
}

/** Exact sums of a report: the totals, and counters per period and group. */
export interface Aggregation {
  totals: Counters;
  /** period → group (or '') → counters */
  cells: Map<string, Map<string, Counters>>;
}

/**
 * Sums the points of rollup items that start in [fromMs, toMs) by period and, optionally, by a
 * dimension. Pure; exact (integer counters).
 */
export function aggregate(
  items: Item[],
  input: { fromMs: number; toMs: number; granularity: Granularity; groupBy?: GroupBy | undefined },
): Aggregation {
  const totals = zeroCounters();
  const cells = new Map<string, Map<string, Counters>>();
  for (const point of pointsOf(items)) {
    if (point.startMs < input.fromMs || point.startMs >= input.toMs) continue;
    const period = periodOf(point.startMs, input.granularity);
    const group = input.groupBy ? String(point.item[GROUP_ATTRIBUTE[input.groupBy]] ?? '') : '';
    let row = cells.get(period);
    if (!row) {
      row = new Map();
      cells.set(period, row);
    }
    addCounters(row.get(group) ?? row.set(group, zeroCounters()).get(group)!, point.counters);
    addCounters(totals, point.counters);
  }
  return { totals, cells };
}

/** Every period start of a granularity in [fromMs, toMs), for a gap-free series. */
export function periodsBetween(fromMs: number, toMs: number, granularity: Granularity): string[] {
  const out: string[] = [];
  let t = fromMs;
  while (t < toMs) {
    out.push(periodOf(t, granularity));
    const d = new Date(t);
    if (granularity === 'hour') t += MS.HOUR;
    else if (granularity === 'day') t += MS.DAY;
    else t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return out;
}

/**
 * UTC calendar buckets of usage counters and quota windows. Bucket ids are ISO prefixes so that
 * string order is time order: hour `2026-11-26T12`, day `2026-11-26`, month `2026-11`.
 */

export type WindowKind = 'day' | 'month';

/** A quota window: its id, and its start and end (exclusive) in epoch milliseconds. */
export interface TimeWindow {
  kind: WindowKind;
  id: string;
  startMs: number;
  endMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The hour bucket of an instant, e.g. `2026-11-26T12`. */
export const hourOf = (ms: number): string => new Date(ms).toISOString().slice(0, 13);
/** The day bucket of an instant, e.g. `2026-11-26`. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** The month bucket of an instant, e.g. `2026-11`. */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

/** Start of a bucket id (hour, day or month) in epoch milliseconds. */
export function bucketStart(id: string): number {
  if (id.length === 13) return Date.parse(`${id}:00:00.000Z`);
  if (id.length === 10) return Date.parse(`${id}T00:00:00.000Z`);
  return Date.parse(`${id}-01T00:00:00.000Z`);
}

/** Start of the month after the one that contains `ms`. */
function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The window of a kind that contains an instant (UTC calendar day or month). */
export function windowAt(kind: WindowKind, ms: number): TimeWindow {
  if (kind === 'day') {
    const id = dayOf(ms);
    const startMs = bucketStart(id);
    return { kind, id, startMs, endMs: startMs + DAY_MS };
  }
  const id = monthOf(ms);
  const startMs = bucketStart(id);
  return { kind, id, startMs, endMs: nextMonthStart(startMs) };
}

/** The window with a given id (`yyyy-mm-dd` or `yyyy-mm`). */
export function windowById(id: string): TimeWindow {
  return windowAt(id.length === 10 ? 'day' : 'month', bucketStart(id));
}

/** Milliseconds in an hour and a day. */
export const MS = { HOUR: HOUR_MS, DAY: DAY_MS } as const;

/**
 * Quota windows: the hour, day, ISO week (Monday first), month or year that contains an instant,
 * in the quota's time zone. Daily and longer windows start at local midnight, also across a
 * daylight-saving change (a local day is then 23 or 25 hours long); hourly windows are UTC hours
 * (time zones are whole-hour offsets, see `lib/schemas/quotas.ts`, so they are the local hours).
 *
 * UTC is computed with `Date` arithmetic; other zones with `Temporal` (temporal-polyfill), loaded
 * on first use so that functions whose quotas are all UTC never load it.
 */
import type { QuotaType } from '../../schemas/quotas.js';
import { bucketStart, dayOf, MS, monthOf } from '../usage/time.js';

/** The length of a quota's window. */
export type WindowKind = 'hour' | 'day' | 'week' | 'month' | 'year';

/**
 * A quota window: its id in the quota's calendar (`2026-11-26T12` UTC hour, `2026-11-26` local
 * day, `2026-W48` ISO week, `2026-11` month, `2026` year) and its bounds in epoch milliseconds
 * (start inclusive, end exclusive).
 */
export interface QuotaWindow {
  kind: WindowKind;
  id: string;
  startMs: number;
  endMs: number;
}

const KIND_OF_PREFIX: Readonly<Record<string, WindowKind>> = {
  hourly: 'hour',
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  yearly: 'year',
};

/** The window kind of a quota type (`weekly_cost` → `week`). */
export function windowKindOf(type: QuotaType): WindowKind {
  const kind = KIND_OF_PREFIX[type.slice(0, type.indexOf('_'))];
  if (!kind) throw new RangeError(`quota type ${type} names no window`);
  return kind;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The ISO week id of the week whose Monday starts at `mondayMs` (UTC): `yyyy-Www`. */
function isoWeekId(mondayMs: number): string {
  // The ISO week belongs to the year of its Thursday; week 1 holds the year's first Thursday.
  const thursday = new Date(mondayMs + 3 * MS.DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * MS.DAY)) + 1;
  return `${year}-W${pad(week)}`;
}

/** A window in UTC, by `Date` arithmetic. */
export function utcWindow(kind: WindowKind, ms: number): QuotaWindow {
  if (kind === 'hour') {
    const startMs = Math.floor(ms / MS.HOUR) * MS.HOUR;
    return { kind, id: new Date(startMs).toISOString().slice(0, 13), startMs, endMs: startMs + MS.HOUR };
  }
  const dayStart = bucketStart(dayOf(ms));
  if (kind === 'day') return { kind, id: dayOf(ms), startMs: dayStart, endMs: dayStart + MS.DAY };
  if (kind === 'week') {
    const startMs = dayStart - ((new Date(dayStart).getUTCDay() + 6) % 7) * MS.DAY;
    return { kind, id: isoWeekId(startMs), startMs, endMs: startMs + 7 * MS.DAY };
  }
  const d = new Date(ms);
  if (kind === 'month') {
    const startMs = bucketStart(monthOf(ms));
    return { kind, id: monthOf(ms), startMs, endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
  }
  const year = d.getUTCFullYear();
  return { kind, id: String(year), startMs: Date.UTC(year, 0, 1), endMs: Date.UTC(year + 1, 0, 1) };
}

/**
 * A window in an IANA time zone, by `Temporal`: local calendar days, weeks, months and years, each
 * from the local start of its first day (midnight, or the first instant after a skipped midnight)
 * to the local start of the next period's first day.
 */
export async function zonedWindow(kind: WindowKind, timeZone: string, ms: number): Promise<QuotaWindow> {
  if (kind === 'hour') return utcWindow(kind, ms);
  const { Temporal } = await import('temporal-polyfill');
  const date = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toPlainDate();
  let first = date;
  let next = date.add({ days: 1 });
  let id = date.toString();
  if (kind === 'week') {
    first = date.subtract({ days: date.dayOfWeek - 1 });
    next = first.add({ days: 7 });
    id = `${date.yearOfWeek}-W${pad(date.weekOfYear ?? 0)}`;
  } else if (kind === 'month') {
    first = date.with({ day: 1 });
    next = first.add({ months: 1 });
    id = `${pad(first.year, 4)}-${pad(first.month)}`;
  } else if (kind === 'year') {
    first = date.with({ month: 1, day: 1 });
    next = first.add({ years: 1 });
    id = pad(first.year, 4);
  }
  return {
    kind,
    id,
    startMs: first.toZonedDateTime(timeZone).epochMilliseconds,
    endMs: next.toZonedDateTime(timeZone).epochMilliseconds,
  };
}

/** The window of a kind that contains an instant, in a time zone (`UTC` by default). */
export function windowAt(kind: WindowKind, timeZone: string, ms: number): Promise<QuotaWindow> | QuotaWindow {
  return timeZone === 'UTC' || kind === 'hour' ? utcWindow(kind, ms) : zonedWindow(kind, timeZone, ms);
}

/** A quota's window that contains an instant (its type's kind, in its time zone). */
export async function quotaWindowAt(
  quota: { quota_type: QuotaType; time_zone?: string | undefined },
  ms: number,
): Promise<QuotaWindow> {
  return windowAt(windowKindOf(quota.quota_type), quota.time_zone ?? 'UTC', ms);
}

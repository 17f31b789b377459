import type { Principal } from '../../auth/roles.js';
import { BadRequestError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Item } from '../../store/table.js';
import { canSeeModel, canSeeProvider } from '../actor.js';
import { loadProviderItem } from '../providers/service.js';
import {
  aggregate,
  figuresOf,
  type Granularity,
  type GroupBy,
  periodsBetween,
  type UsageFigures,
} from './aggregate.js';
import { zeroCounters } from './counters.js';
import { RangeTooLargeError, readRollups } from './read.js';
import { bucketStart, dayOf, MS, monthOf } from './time.js';

/** What a usage report asks for (validated query parameters). */
export interface ReportRequest {
  /** `yyyy-mm-dd` (from that day's start) or an ISO date-time. */
  start_date?: string | undefined;
  /** `yyyy-mm-dd` (inclusive: up to the next day's start) or an ISO date-time (exclusive). */
  end_date?: string | undefined;
  granularity: Granularity;
  group_by?: GroupBy | undefined;
  /** The provider of `/api/providers/{id}/usage`, or the filter of `/api/usage`. */
  provider_id?: string | undefined;
  /** Only usage of this team's keys. */
  team_id?: string | undefined;
}

/** One series row: a period's start (ISO), its group when grouped, and its figures. */
export interface UsageRow extends UsageFigures {
  period: string;
  group?: string;
}

/** The body of the usage endpoints (see `lib/schemas/usage.ts`). */
export interface UsageReport {
  provider_id: string | null;
  start: string;
  end: string;
  granularity: Granularity;
  group_by: GroupBy | null;
  team_id: string | null;
  totals: UsageFigures;
  series: UsageRow[];
}

/** Most periods one report returns (31 days of hours, a leap year of days, 5 years of months). */
const MAX_PERIODS: Record<Granularity, number> = { hour: 744, day: 366, month: 60 };
const DEFAULT_SPAN: Record<Granularity, number> = { hour: 24, day: 30, month: 12 };

const isDateOnly = (v: string) => v.length === 10;

function floorTo(ms: number, granularity: Granularity): number {
  if (granularity === 'hour') return Math.floor(ms / MS.HOUR) * MS.HOUR;
  return bucketStart(granularity === 'day' ? dayOf(ms) : monthOf(ms));
}

/** The half-open range [from, to) of a report, aligned to its granularity. */
export function resolveRange(request: ReportRequest, nowMs: number): { fromMs: number; toMs: number } {
  const g = request.granularity;
  let toMs: number;
  if (request.end_date === undefined) toMs = nextPeriod(floorTo(nowMs, g), g);
  else
    toMs = isDateOnly(request.end_date)
      ? bucketStart(request.end_date) + MS.DAY
      : Date.parse(request.end_date);
  let fromMs: number;
  if (request.start_date === undefined) {
    fromMs = toMs;
    for (let i = 0; i < DEFAULT_SPAN[g]; i++) fromMs = previousPeriod(fromMs, g);
  } else
    fromMs = floorTo(
      isDateOnly(request.start_date) ? bucketStart(request.start_date) : Date.parse(request.start_date),
      g,
    );
  if (!(fromMs < toMs)) {
    throw new BadRequestError('start_date must be before end_date.', { code: 'invalid_query' });
  }
  if (periodsBetween(fromMs, toMs, g).length > MAX_PERIODS[g]) {
    throw new BadRequestError(`At most ${MAX_PERIODS[g]} ${g} periods per report; narrow the range.`, {
      code: 'range_too_large',
    });
  }
  return { fromMs, toMs };
}

function nextPeriod(ms: number, g: Granularity): number {
  if (g === 'hour') return ms + MS.HOUR;
  if (g === 'day') return ms + MS.DAY;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function previousPeriod(ms: number, g: Granularity): number {
  if (g === 'hour') return ms - MS.HOUR;
  if (g === 'day') return ms - MS.DAY;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
}

async function readFor(deps: Gateway, request: ReportRequest, range: { fromMs: number; toMs: number }) {
  const last = range.toMs - 1;
  const query =
    request.granularity === 'hour'
      ? { period: 'D' as const, from: dayOf(range.fromMs), to: dayOf(last) }
      : { period: 'M' as const, from: monthOf(range.fromMs), to: monthOf(last) };
  try {
    return await readRollups(deps, { ...query, providerId: request.provider_id });
  } catch (error) {
    if (error instanceof RangeTooLargeError) {
      throw new BadRequestError(error.message, { code: 'range_too_large' });
    }
    throw error;
  }
}

/**
 * A usage report: totals and a time series of requests, errors, tokens, audio, characters, cost
 * (USD, exact sums of nano-USD) and average latency, by hour (from daily rollups), day or month
 * (from monthly rollups), optionally grouped by model, API key, service type, provider or team, and
 * optionally of one team only (a team's usage is exactly the sum of its keys'). Figures lag the
 * hot counters by the change stream's delay (about a second). A caller scoped to some providers or
 * models sees only those (another provider's report is a 404); a key of a team only its team's.
 */
export async function usageReport(
  deps: Gateway,
  request: ReportRequest & { scope: 'provider' | 'all'; principal: Principal },
): Promise<UsageReport> {
  const range = resolveRange(request, deps.now());
  if (request.scope === 'provider')
    await loadProviderItem(deps, String(request.provider_id), request.principal);
  else if (request.provider_id && !canSeeProvider(request.principal, request.provider_id)) {
    return emptyReport(request, range);
  }
  const { teamId } = request.principal;
  // A key of a team sees its team's usage only; another team's reads as an empty report.
  if (teamId && request.team_id && request.team_id !== teamId) return emptyReport(request, range);
  const team = request.team_id ?? teamId;
  const visible = (item: Item) =>
    canSeeProvider(request.principal, String(item.provider_id)) &&
    canSeeModel(request.principal, String(item.model_id)) &&
    (!team || item.team_id === team);
  const items = (await readFor(deps, request, range)).filter(visible);
  const { totals, cells } = aggregate(items, {
    ...range,
    granularity: request.granularity,
    groupBy: request.group_by,
  });
  const series: UsageRow[] = [];
  for (const period of periodsBetween(range.fromMs, range.toMs, request.granularity)) {
    const row = cells.get(period);
    if (!request.group_by) {
      series.push({ period, ...figuresOf(row?.get('') ?? zeroCounters()) });
      continue;
    }
    for (const [group, counters] of [...(row ?? new Map())].sort(([a], [b]) => (a < b ? -1 : 1))) {
      series.push({ period, group, ...figuresOf(counters) });
    }
  }
  return { ...header(request, range), totals: figuresOf(totals), series };
}

function header(request: ReportRequest, range: { fromMs: number; toMs: number }) {
  return {
    provider_id: request.provider_id ?? null,
    start: new Date(range.fromMs).toISOString(),
    end: new Date(range.toMs).toISOString(),
    granularity: request.granularity,
    group_by: request.group_by ?? null,
    team_id: request.team_id ?? null,
  };
}

function emptyReport(request: ReportRequest, range: { fromMs: number; toMs: number }): UsageReport {
  return { ...header(request, range), totals: figuresOf(zeroCounters()), series: [] };
}

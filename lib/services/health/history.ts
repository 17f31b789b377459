/**
 * Health history: one item per check (`HEALTH#<pid> / <observed_at>#<check id>`) and an hourly
 * roll-up of counted checks (`HEALTH_HOURLY#<pid> / <yyyy-mm-ddThh>`), both with a retention TTL
 * (`HEALTH_HISTORY_RETENTION_DAYS`). Reads filter expired items at once: DynamoDB's TTL sweep lags
 * by days and dynalite has none.
 */

import { newId } from '../../ids.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { queryRangeAll, queryRangePage } from './range-page.js';
import type { CheckTrigger, HealthStatus, Observation } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;

/** The TTL (epoch seconds) of something that happened at `iso`. */
function ttlOf(deps: Gateway, iso: string): number {
  return Math.floor(Date.parse(iso) / 1000) + deps.config.HEALTH_HISTORY_RETENTION_DAYS * DAY_S;
}

/** `2026-11-26T12`: the hour bucket of an ISO instant (UTC). */
export function hourOf(iso: string): string {
  return iso.slice(0, 13);
}

/** One recorded check, as the API shows it. */
export interface HealthCheckRecord {
  id: string;
  provider_id: string;
  checked_at: string;
  result: 'ok' | 'error';
  http_status: number | null;
  latency_ms: number;
  error_class: string | null;
  /** The provider's health status after this check. */
  health_status: HealthStatus;
  trigger: CheckTrigger;
  run_id: string;
  /** False when the slot had already been counted (a duplicate or overlapping run). */
  counted: boolean;
}

/** One probe outcome to store, with the status it led to and whether it was counted. */
export interface RecordCheckInput {
  providerId: string;
  observation: Observation;
  healthStatus: HealthStatus;
  trigger: CheckTrigger;
  runId: string;
  counted: boolean;
}

/** Stores one check (and, when counted, adds it to the hour's roll-up). */
export async function recordCheck(deps: Gateway, input: RecordCheckInput): Promise<HealthCheckRecord> {
  const { observation } = input;
  const record: HealthCheckRecord = {
    id: newId('hc', deps.now()),
    provider_id: input.providerId,
    checked_at: observation.observedAt,
    result: observation.result.ok ? 'ok' : 'error',
    http_status: observation.result.status ?? null,
    latency_ms: Math.round(observation.result.latencyMs * 100) / 100,
    error_class: observation.result.ok ? null : (observation.result.errorClass ?? 'bad_response'),
    health_status: input.healthStatus,
    trigger: input.trigger,
    run_id: input.runId,
    counted: input.counted,
  };
  await deps.table.put({
    ...keys.healthCheck(input.providerId, record.checked_at, record.id),
    entity: 'health_check',
    ...record,
    ttl: ttlOf(deps, record.checked_at),
  });
  return record;
}

/** Adds one counted check to its hour (atomic `ADD`; only the run that counted the slot calls it). */
export async function addToHourly(deps: Gateway, input: { providerId: string; at: string; up: boolean }) {
  const hour = hourOf(input.at);
  await deps.table.update({
    key: keys.healthHourly(input.providerId, hour),
    add: { total: 1, up: input.up ? 1 : 0 },
    set: { ttl: ttlOf(deps, `${hour}:59:59.999Z`), provider_id: input.providerId },
  });
}

function toRecord(item: Item): HealthCheckRecord {
  return {
    id: String(item.id),
    provider_id: String(item.provider_id),
    checked_at: String(item.checked_at),
    result: item.result === 'ok' ? 'ok' : 'error',
    http_status: typeof item.http_status === 'number' ? item.http_status : null,
    latency_ms: Number(item.latency_ms ?? 0),
    error_class: (item.error_class as string | null | undefined) ?? null,
    health_status: (item.health_status ?? 'unknown') as HealthStatus,
    trigger: item.trigger === 'manual' ? 'manual' : 'schedule',
    run_id: String(item.run_id ?? ''),
    counted: item.counted !== false,
  };
}

/** A page of a provider's checks, newest first, optionally between two ISO instants (inclusive). */
export async function listChecks(
  deps: Gateway,
  input: { providerId: string; start?: string; end?: string; limit: number; cursor?: string },
) {
  const range = keys.timeRange(input.start, input.end);
  const page = await queryRangePage(deps.table, {
    partition: keys.healthHistoryOfProvider(input.providerId),
    from: range.from,
    to: range.to,
    limit: input.limit,
    cursor: input.cursor,
    newestFirst: true,
  });
  return { data: page.items.map(toRecord), next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
}

/** Uptime over the last 24 hours and 7 days, in percent (2 decimals), from the hourly roll-ups. */
export interface Uptime {
  uptime_24h: number | null;
  uptime_7d: number | null;
  checks_24h: number;
  checks_7d: number;
}

const percent = (up: number, total: number) => (total === 0 ? null : Math.round((up / total) * 10_000) / 100);

/**
 * Uptime of a provider: counted checks that found it up (ok, or rate limited) over counted checks,
 * by whole UTC hours (the current hour included), so "24 h" spans 24 hour buckets. Null without
 * checks in the window.
 */
export async function uptimeOf(deps: Gateway, providerId: string): Promise<Uptime> {
  const now = deps.now();
  const since7d = hourOf(new Date(now - 167 * HOUR_MS).toISOString());
  const since24h = hourOf(new Date(now - 23 * HOUR_MS).toISOString());
  const items = await queryRangeAll(deps.table, {
    partition: keys.healthHourlyOfProvider(providerId),
    from: since7d,
    to: hourOf(new Date(now).toISOString()),
  });
  const sums = { total7: 0, up7: 0, total24: 0, up24: 0 };
  for (const item of items) {
    const total = Number(item.total ?? 0);
    const up = Number(item.up ?? 0);
    sums.total7 += total;
    sums.up7 += up;
    if (item.sk >= since24h) {
      sums.total24 += total;
      sums.up24 += up;
    }
  }
  return {
    uptime_24h: percent(sums.up24, sums.total24),
    uptime_7d: percent(sums.up7, sums.total7),
    checks_24h: sums.total24,
    checks_7d: sums.total7,
  };
}

/**
 * `GET /api/health/summary`: every provider the caller may see, with its current health, uptime
 * over 24 h and 7 d (hourly roll-ups), its open incident and MTTR over the retention window.
 * Cost per provider: one GetItem (state), one query of ≤ 168 roll-ups and one of its incidents,
 * run 10 providers at a time.
 */
import type { Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { canSeeProvider } from '../actor.js';
import { uptimeOf } from './history.js';
import { queryRangeAll } from './range-page.js';
import { mapBounded } from './run.js';
import { readHealthState } from './state-store.js';
import type { HealthStatus } from './types.js';

const DAY_MS = 86_400_000;
/** Providers summarised at once. */
const CONCURRENCY = 10;

const mean = (values: number[]) =>
  values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length);

/** A provider's incidents opened within the retention window: open one, resolved durations. */
async function incidentFacts(deps: Gateway, providerId: string) {
  const since = new Date(deps.now() - deps.config.HEALTH_HISTORY_RETENTION_DAYS * DAY_MS).toISOString();
  const range = keys.timeRange(since);
  const items = await queryRangeAll(
    deps.table,
    {
      index: 'gsi2',
      partition: keys.incidentsOfProvider(providerId),
      from: range.from,
      to: range.to,
      newestFirst: true,
    },
    1_000,
  );
  const unresolved = items.filter((item) => item.status !== 'resolved');
  const open = unresolved[0];
  const durations = items
    .filter((item) => item.status === 'resolved' && typeof item.duration_seconds === 'number')
    .map((item) => item.duration_seconds as number);
  return { openId: open ? String(open.id) : null, openCount: unresolved.length, durations };
}

async function summarizeProvider(deps: Gateway, item: Item) {
  const id = String(item.id);
  const [state, uptime, incidents] = await Promise.all([
    readHealthState(deps, id),
    uptimeOf(deps, id),
    incidentFacts(deps, id),
  ]);
  return {
    durations: incidents.durations,
    openCount: incidents.openCount,
    view: {
      provider_id: id,
      name: String(item.name),
      provider_type: String(item.provider_type),
      status: String(item.status),
      health_status: (state?.status ?? item.health_status ?? 'unknown') as HealthStatus,
      status_since: state?.status_since ?? null,
      latency_ewma_ms: state?.latency_ewma_ms ?? null,
      consecutive_failures: state?.consecutive_failures ?? 0,
      last_checked_at: state?.last_checked_at ?? null,
      last_error_class: state?.last_error_class ?? null,
      ...uptime,
      open_incident_id: incidents.openId,
      mttr_seconds: mean(incidents.durations),
      incidents_resolved: incidents.durations.length,
    },
  };
}

/** The health summary of every provider the principal may see, in creation order. */
export async function healthSummary(deps: Gateway, principal: Principal) {
  const providers = (
    await deps.table.queryAll({ index: 'gsi1', partition: keys.providersPartition() })
  ).filter((item) => canSeeProvider(principal, String(item.id)));
  const rows = await mapBounded(providers, CONCURRENCY, (item) => summarizeProvider(deps, item));
  const totals = { healthy: 0, degraded: 0, down: 0, unknown: 0 };
  for (const row of rows) totals[row.view.health_status] += 1;
  return {
    generated_at: new Date(deps.now()).toISOString(),
    providers: rows.map((row) => row.view),
    totals: {
      ...totals,
      open_incidents: rows.reduce((sum, row) => sum + row.openCount, 0),
      mttr_seconds: mean(rows.flatMap((row) => row.durations)),
    },
  };
}

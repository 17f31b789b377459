import { api, list } from '../api.js';
import { empty, h, pill, table, when } from '../dom.js';
import type { HealthSummary } from './types.js';

interface Provider {
  id: string;
  name: string;
  provider_type: string;
  status: string;
  is_active: boolean;
  health_status: string;
  /** Not in the admin API yet; shown when a gateway exposes it. */
  circuit_state?: string;
}

/** Providers with their health and, where the API exposes it, the circuit breaker's state. */
export async function providersView(): Promise<HTMLElement> {
  const [providers, summary] = await Promise.all([
    list<Provider>('/api/providers?limit=100'),
    api<HealthSummary>('GET', '/api/health/summary'),
  ]);
  if (providers.data.length === 0)
    return empty('No providers are configured yet. Add one with POST /api/providers.');
  const health = new Map(summary.providers.map((p) => [p.provider_id, p]));
  const t = summary.totals;
  const rows = providers.data.map((p) => {
    const s = health.get(p.id);
    return [
      h('span', { class: 'strong' }, p.name),
      p.provider_type,
      pill(p.is_active ? p.status : 'inactive'),
      pill(s?.health_status ?? p.health_status),
      p.circuit_state ? pill(p.circuit_state) : h('span', { class: 'muted' }, 'not reported'),
      s?.consecutive_failures ?? '—',
      s?.latency_ewma_ms == null ? '—' : `${Math.round(s.latency_ewma_ms)} ms`,
      s?.uptime_24h == null ? 'no checks' : `${s.uptime_24h.toFixed(1)} %`,
      when(s?.last_checked_at),
      s?.open_incident_id ? pill('open_incident') : 'none',
    ];
  });
  return h(
    'section',
    { 'aria-label': 'Providers' },
    h(
      'ul',
      { class: 'totals', 'aria-label': 'Health totals' },
      h('li', {}, h('b', {}, t.healthy), ' healthy'),
      h('li', {}, h('b', {}, t.degraded), ' degraded'),
      h('li', {}, h('b', {}, t.down), ' down'),
      h('li', {}, h('b', {}, t.unknown), ' unknown'),
      h('li', {}, h('b', {}, t.open_incidents), ' open incidents'),
    ),
    table(
      `${providers.data.length} provider(s)${providers.hasMore ? ' (first page)' : ''}`,
      [
        'Name',
        'Type',
        'Status',
        'Health',
        'Circuit',
        'Failures in a row',
        'Latency (EWMA)',
        'Uptime 24 h',
        'Last check',
        'Incident',
      ],
      rows,
    ),
    h(
      'p',
      { class: 'help' },
      'Circuit: the admin API does not report circuit breaker state yet; “not reported” is shown until it does.',
    ),
  );
}

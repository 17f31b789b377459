import { api, errorText, list } from '../api.js';
import { action, empty, h, pill, table, when } from '../dom.js';
import { apiForm, confirmButton, type FieldSpec, openDialog } from '../forms.js';
import { credentialsDialog } from './credentials.js';
import { modelsDialog } from './provider-models.js';
import type { HealthSummary, ViewContext } from './types.js';

interface Circuit {
  state: string;
  opened_at: string | null;
  retry_at: string | null;
  models?: { model_id: string; state: string; retry_at: string | null }[];
}
export interface Provider {
  id: string;
  name: string;
  provider_type: string;
  service_types: string[];
  base_url: string | null;
  status: string;
  is_active: boolean;
  health_status: string;
  priority: number;
  timeout_seconds: number;
  version: number;
  /** Circuit breaker state, on gateways that expose it. */
  circuit?: Circuit;
}

const TYPES = ['openai', 'anthropic', 'cohere', 'huggingface', 'bedrock', 'custom', 'mock'];
const SERVICES = ['llm', 'embedding', 'rerank', 'tts', 'stt', 'vision', 'image', 'moderation'];

function providerFields(p?: Provider): FieldSpec[] {
  return [
    { name: 'name', label: 'Name', required: true, value: p?.name },
    ...(p
      ? []
      : [
          {
            name: 'provider_type',
            label: 'Type',
            type: 'select',
            value: 'openai',
            options: TYPES.map((t) => [t, t]),
          } satisfies FieldSpec,
        ]),
    {
      name: 'service_types',
      label: 'Services',
      type: 'select',
      multiple: true,
      value: p?.service_types ?? ['llm'],
      options: SERVICES.map((s) => [s, s]),
    },
    {
      name: 'base_url',
      label: 'Base URL',
      type: 'url',
      value: p?.base_url,
      help: 'e.g. https://api.openai.com/v1; empty: the type’s default.',
    },
    { name: 'priority', label: 'Priority (lower is tried first)', type: 'number', value: p?.priority ?? 100 },
    { name: 'timeout_seconds', label: 'Timeout (seconds)', type: 'number', value: p?.timeout_seconds ?? 60 },
    ...(p
      ? [
          {
            name: 'status',
            label: 'Status',
            type: 'select',
            value: p.status,
            options: ['active', 'inactive', 'maintenance'].map((s) => [s, s]),
          } satisfies FieldSpec,
        ]
      : []),
  ];
}

function editProvider(ctx: ViewContext, opener: HTMLElement, p?: Provider): void {
  let close = () => {};
  const title = p ? `Edit provider ${p.name}` : 'Add a provider';
  const form = apiForm(title, providerFields(p), p ? 'Save' : 'Add provider', async (body) => {
    if (p) {
      // Only what changed: an unchanged base URL is not a credential move.
      const changed: Record<string, unknown> = { version: p.version };
      for (const [k, v] of Object.entries(body)) {
        if (JSON.stringify(v) !== JSON.stringify((p as unknown as Record<string, unknown>)[k]))
          changed[k] = v;
      }
      await api('PATCH', `/api/providers/${p.id}`, changed);
    } else await api('POST', '/api/providers', body);
    close();
    ctx.refresh();
  });
  close = openDialog(title, form, opener);
}

async function testConnection(p: Provider, out: HTMLElement, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  out.textContent = `Testing ${p.name}…`;
  try {
    const r = await api<{
      health_status: string;
      check: { result: string; http_status: number | null; latency_ms: number; error_class: string | null };
    }>('POST', `/api/providers/${p.id}/health-check`);
    const c = r.check;
    out.textContent =
      c.result === 'ok'
        ? `${p.name}: connection OK (HTTP ${c.http_status ?? '—'}, ${Math.round(c.latency_ms)} ms); health ${r.health_status}.`
        : `${p.name}: connection failed (${c.error_class ?? 'error'}${c.http_status ? `, HTTP ${c.http_status}` : ''}); health ${r.health_status}.`;
  } catch (error) {
    out.textContent = `${p.name}: test failed: ${errorText(error)}`;
  } finally {
    button.disabled = false;
  }
}

function circuitCell(c: Circuit | undefined): HTMLElement | string {
  if (!c) return h('span', { class: 'muted' }, 'not reported');
  const open = (c.models ?? []).filter((m) => m.state !== 'closed');
  return h(
    'span',
    {},
    pill(c.state),
    c.state !== 'closed' && c.retry_at ? ` retry ${when(c.retry_at)}` : '',
    ...open.map((m) => h('span', { class: 'sub' }, ` ${m.model_id}: `, pill(m.state))),
  );
}

/** Providers with health and circuit state; writers add, edit and test them, and manage models and credentials. */
export async function providersView(ctx: ViewContext): Promise<HTMLElement> {
  const [providers, summary] = await Promise.all([
    list<Provider>('/api/providers?limit=100'),
    api<HealthSummary>('GET', '/api/health/summary'),
  ]);
  const write = ctx.can('write');
  const status = h('p', { role: 'status', class: 'help', id: 'provider-status' });
  const toolbar = write
    ? h(
        'div',
        { class: 'toolbar' },
        action('Add provider', 'Add provider', (b) => editProvider(ctx, b)),
      )
    : null;
  if (providers.data.length === 0)
    return h('section', { 'aria-label': 'Providers' }, toolbar, empty('No providers are configured yet.'));
  const health = new Map(summary.providers.map((p) => [p.provider_id, p]));
  const t = summary.totals;
  const rows = providers.data.map((p) => {
    const s = health.get(p.id);
    const buttons = [
      action('Models', `Models and prices of ${p.name}`, (b) => modelsDialog(ctx, p, b)),
      (ctx.can('secrets') || write) &&
        action('Credentials', `Credentials of ${p.name}`, (b) => credentialsDialog(ctx, p, b)),
      write && action('Edit', `Edit ${p.name}`, (b) => editProvider(ctx, b, p)),
      write && action('Test', `Test connection to ${p.name}`, (b) => void testConnection(p, status, b)),
      write &&
        confirmButton(
          'Delete',
          `Delete provider ${p.name}`,
          `Delete provider “${p.name}” with its models and credentials? A provider that routing rules still name is refused.`,
          async () => {
            await api('DELETE', `/api/providers/${p.id}`);
            ctx.refresh();
          },
        ),
    ];
    return [
      h('span', { class: 'strong' }, p.name),
      p.provider_type,
      pill(p.is_active ? p.status : 'inactive'),
      pill(s?.health_status ?? p.health_status),
      circuitCell(p.circuit),
      s?.consecutive_failures ?? '—',
      s?.latency_ewma_ms == null ? '—' : `${Math.round(s.latency_ewma_ms)} ms`,
      s?.uptime_24h == null ? 'no checks' : `${s.uptime_24h.toFixed(1)} %`,
      when(s?.last_checked_at),
      s?.open_incident_id ? pill('open_incident') : 'none',
      h('span', { class: 'actions' }, ...buttons),
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
    toolbar,
    status,
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
        'Actions',
      ],
      rows,
    ),
  );
}

import { api, errorText, list } from '../api.js';
import { action, empty, h, pill, table, usd, when } from '../dom.js';
import { apiForm, openDialog } from '../forms.js';
import { pagedTable } from '../paged.js';
import type { ViewContext } from './types.js';

interface Attempt {
  provider_id: string;
  model: string;
  status: number | null;
  latency_ms: number;
  failure: string | null;
}
interface Log {
  request_id: string;
  at: string;
  api_key_id: string;
  route: string;
  model_requested: string | null;
  provider_name: string | null;
  model: string | null;
  stream: boolean;
  status: number;
  error_code: string | null;
  attempts: Attempt[];
  latency_ms: { total: number; upstream: number; gateway: number };
  ttfb_ms: number | null;
  tokens: { input: number; output: number; cached: number };
  cost_usd: number;
  cache: string | null;
  limits: { rate_limit: string | null; quota: string | null };
  payload_logged: boolean;
  payload?: { request: Body; response: Body } | null;
}
type Body = { text: string; truncated: boolean; bytes: number } | null;

/** The filters, kept while the view is redrawn. */
let filters: Record<string, unknown> = {};
const ms = (n: number | null | undefined) => (n == null ? '—' : `${Math.round(n)} ms`);

function dl(pairs: [string, string | Node][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function payload(label: string, body: Body): HTMLElement {
  if (!body) return h('p', { class: 'muted' }, `${label}: not kept.`);
  return h(
    'section',
    { 'aria-label': label },
    h('h4', {}, `${label} (${body.bytes} bytes${body.truncated ? ', truncated' : ''})`),
    h('pre', { class: 'payload', tabindex: 0 }, body.text),
  );
}

/** One request in a drawer: its answer, timings, every attempt and, when kept and readable, its bodies. */
async function openDetail(id: string, opener: HTMLElement, names: Map<string, string>): Promise<void> {
  const body = h('div', {}, h('p', { role: 'status' }, 'Loading…'));
  openDialog(`Request ${id}`, body, opener);
  body.closest('dialog')?.classList.add('drawer');
  try {
    const log = await api<Log>('GET', `/api/logs/${encodeURIComponent(id)}`);
    body.replaceChildren(
      dl([
        ['When', when(log.at)],
        ['Route', log.route],
        ['Status', `${log.status}${log.error_code ? ` ${log.error_code}` : ''}`],
        ['Model', `${log.model_requested ?? '—'} → ${log.provider_name ?? '—'} ${log.model ?? ''}`],
        ['API key', log.api_key_id],
        ['Stream', log.stream ? 'yes' : 'no'],
        [
          'Latency',
          `${ms(log.latency_ms.total)} total · ${ms(log.latency_ms.upstream)} upstream · ${ms(log.latency_ms.gateway)} gateway`,
        ],
        ['First byte', ms(log.ttfb_ms)],
        ['Tokens', `${log.tokens.input} in · ${log.tokens.output} out · ${log.tokens.cached} cached`],
        ['Cost', usd(log.cost_usd)],
        ['Cache', log.cache ?? 'none'],
        ['Limits', `rate limit ${log.limits.rate_limit ?? '—'} · quota ${log.limits.quota ?? '—'}`],
      ]),
      log.attempts.length
        ? table(
            `${log.attempts.length} attempt(s)`,
            ['#', 'Provider', 'Model', 'Status', 'Latency', 'Failure'],
            log.attempts.map((a, i) => [
              i + 1,
              names.get(a.provider_id) ?? a.provider_id,
              a.model,
              a.status ?? '—',
              ms(a.latency_ms),
              a.failure ?? '—',
            ]),
          )
        : empty('No upstream attempt (answered by the gateway).'),
      log.payload
        ? h(
            'div',
            {},
            payload('Request body', log.payload.request),
            payload('Response body', log.payload.response),
          )
        : h(
            'p',
            { class: 'muted' },
            log.payload_logged
              ? 'Bodies were kept for this request; only an admin key may read them.'
              : 'Bodies were not kept (payload logging is off for this key and route).',
          ),
    );
  } catch (error) {
    body.replaceChildren(h('p', { role: 'alert', class: 'error' }, errorText(error)));
  }
}

/** The request log: filters, newest first, and a drawer with one request's attempts, timings and bodies. */
export async function logsView(ctx: ViewContext): Promise<HTMLElement> {
  const query = new URLSearchParams({ limit: '50' });
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') query.set(k, String(v));
  const [logs, providers] = await Promise.all([
    list<Log>(`/api/logs?${query}`),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
  const form = apiForm(
    'Filter requests',
    [
      {
        name: 'provider_id',
        label: 'Provider',
        type: 'select',
        value: String(filters.provider_id ?? ''),
        options: [['', 'any'], ...providers.data.map((p): [string, string] => [p.id, p.name])],
      },
      { name: 'model', label: 'Model', value: filters.model as string },
      {
        name: 'status',
        label: 'Status',
        type: 'select',
        value: String(filters.status ?? ''),
        options: [
          ['', 'any'],
          ['success', 'success'],
          ['error', 'error'],
        ],
      },
      { name: 'api_key_id', label: 'API key id', value: filters.api_key_id as string, raw: true },
      {
        name: 'min_latency_ms',
        label: 'Slower than (ms)',
        type: 'number',
        value: filters.min_latency_ms as number,
      },
    ],
    'Apply filters',
    async (body) => {
      filters = body;
      ctx.refresh();
    },
  );
  form.classList.add('filters');
  const cells = (l: Log) => [
    when(l.at),
    l.route,
    l.model ?? l.model_requested ?? '—',
    l.provider_name ?? '—',
    pill(l.status < 400 ? 'ok' : 'error'),
    String(l.status),
    ms(l.latency_ms.total),
    `${l.tokens.input + l.tokens.output}`,
    usd(l.cost_usd),
    action('Details', `Details of request ${l.request_id}`, (b) => void openDetail(l.request_id, b, names)),
  ];
  return h(
    'section',
    {},
    form,
    logs.data.length
      ? pagedTable({
          caption: (n, more) => `${n} request(s), newest first${more ? ' (more to show)' : ''}`,
          head: [
            'When',
            'Route',
            'Model',
            'Provider',
            'Outcome',
            'Status',
            'Latency',
            'Tokens',
            'Cost',
            'Details',
          ],
          first: logs,
          cells,
          path: (cursor) => `/api/logs?${new URLSearchParams([...query, ['cursor', cursor]])}`,
        })
      : empty('No requests match these filters in the retention period.'),
  );
}

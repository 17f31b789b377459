import { api, list } from '../api.js';
import { action, empty, h, pill, when } from '../dom.js';
import { apiForm, confirmButton, type FieldSpec, openDialog } from '../forms.js';
import type { ViewContext } from './types.js';

interface Quota {
  id: string;
  provider_id: string | null;
  quota_type: string;
  limit_value: number;
  soft_limit_percent: number;
  action_on_exceed: string;
  scope: string;
  model_id: string | null;
  is_active: boolean;
  enforcement: string;
  version: number;
}
interface Status {
  used: number;
  limit: number;
  percent: number;
  state: string;
  unit: string;
  window: string;
  resets_at: string | null;
}

function amount(n: number, unit: string): string {
  return unit === 'usd' ? `$${n.toFixed(2)}` : `${n.toLocaleString('en-US')} ${unit}`;
}

/** A horizontal gauge to 120 %: the fill, a soft mark and a hard (100 %) mark, all labelled in text. */
function gauge(q: Quota, s: Status | undefined, title: string, edit: HTMLElement | null): HTMLElement {
  const id = `gauge-${q.id}`;
  const percent = s?.percent ?? 0;
  const pos = (p: number) => `${Math.min(p, 120) / 1.2}%`;
  return h(
    'li',
    { class: 'quota' },
    h(
      'div',
      { class: 'quota-head' },
      h('span', { id, class: 'strong' }, title),
      s ? pill(s.state) : pill('unknown'),
      edit,
    ),
    h(
      'div',
      {
        class: 'gauge',
        role: 'meter',
        'aria-labelledby': id,
        'aria-valuemin': 0,
        'aria-valuemax': 120,
        'aria-valuenow': Math.round(percent),
        'aria-valuetext': s ? `${percent.toFixed(1)} % used` : 'status unavailable',
      },
      h('div', { class: `fill fill-${s?.state ?? 'ok'}`, style: `width:${pos(percent)}` }),
      h('div', {
        class: 'mark soft',
        style: `left:${pos(q.soft_limit_percent)}`,
        title: `soft ${q.soft_limit_percent} %`,
      }),
      h('div', { class: 'mark hard', style: `left:${pos(100)}`, title: 'hard 100 %' }),
    ),
    h(
      'p',
      { class: 'help' },
      s
        ? `${amount(s.used, s.unit)} of ${amount(s.limit, s.unit)} (${percent.toFixed(1)} %) · soft mark ${q.soft_limit_percent} % · hard mark 100 % (${q.action_on_exceed}) · window ${s.window}, resets ${when(s.resets_at)}`
        : 'Status unavailable.',
    ),
  );
}

type Opt = [string, string];
const TYPES = [
  'monthly_cost',
  'daily_cost',
  'weekly_cost',
  'hourly_cost',
  'yearly_cost',
  'monthly_tokens',
  'daily_tokens',
  'hourly_tokens',
  'monthly_requests',
  'daily_requests',
  'hourly_requests',
];
const ACTIONS: Opt[] = [
  ['block', 'block'],
  ['throttle', 'throttle'],
  ['fallback', 'fallback'],
  ['notify', 'notify only'],
];
const ENFORCEMENTS: Opt[] = [
  ['async', 'async (checked after each call)'],
  ['strict', 'strict (held before each call)'],
];

/** The fields a quota's owner may change after creation (limit, marks, action, enforcement, activity). */
function changeable(q?: Quota): FieldSpec[] {
  return [
    {
      name: 'limit_value',
      label: 'Limit (USD for cost, a count for tokens and requests)',
      type: 'number',
      step: 'any',
      required: true,
      value: q?.limit_value,
    },
    {
      name: 'soft_limit_percent',
      label: 'Soft mark (% of the limit)',
      type: 'number',
      value: q?.soft_limit_percent ?? 80,
    },
    {
      name: 'action_on_exceed',
      label: 'On exceeding',
      type: 'select',
      value: q?.action_on_exceed ?? 'block',
      options: ACTIONS,
    },
    {
      name: 'enforcement',
      label: 'Enforcement',
      type: 'select',
      value: q?.enforcement ?? 'async',
      options: ENFORCEMENTS,
    },
    { name: 'is_active', label: 'Active', type: 'checkbox', value: q?.is_active ?? true },
  ];
}

function quotaForm(ctx: ViewContext, providers: Opt[], teams: Opt[], opener: HTMLElement, q?: Quota): void {
  let close = () => {};
  const title = q ? 'Edit quota' : 'Add a quota or budget';
  const create: FieldSpec[] = [
    {
      name: 'scope',
      label: 'Counts',
      type: 'select',
      value: 'provider',
      options: [
        ['provider', 'one provider'],
        ['model', 'one model of a provider'],
        ['team', 'a team (its budget)'],
        ['api_key', 'one API key'],
        ['global', 'everything'],
      ],
    },
    { name: 'provider_id', label: 'Provider', type: 'select', options: [['', '—'], ...providers] },
    { name: 'model_id', label: 'Model id (scope model, or to narrow a team budget)' },
    { name: 'team_id', label: 'Team', type: 'select', options: [['', '—'], ...teams] },
    { name: 'api_key_id', label: 'API key id (scope API key)', raw: true },
    {
      name: 'quota_type',
      label: 'Window and measure',
      type: 'select',
      value: 'monthly_cost',
      options: TYPES.map((t) => [t, t.replace('_', ' ')]),
    },
    {
      name: 'time_zone',
      label: 'Time zone of the window',
      value: 'UTC',
      help: 'IANA name, e.g. Europe/Berlin.',
    },
  ];
  const form = apiForm(
    title,
    q ? changeable(q) : [...create, ...changeable()],
    q ? 'Save quota' : 'Add quota',
    async (body) => {
      if (q) await api('PATCH', `/api/quotas/${q.id}`, { ...body, version: q.version });
      else await api('POST', '/api/quotas', body);
      close();
      ctx.refresh();
    },
  );
  close = openDialog(title, form, opener);
}

/** Quota gauges (spend against limit, when the window resets); writers add and edit quotas and budgets. */
export async function quotasView(ctx: ViewContext): Promise<HTMLElement> {
  const [quotas, providers, teams] = await Promise.all([
    list<Quota>('/api/quotas?limit=100'),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
    list<{ id: string; name: string }>('/api/teams?limit=100').catch(() => ({
      data: [],
      hasMore: false,
      nextCursor: null,
    })),
  ]);
  const write = ctx.can('write');
  const providerOpts: Opt[] = providers.data.map((p) => [p.id, p.name]);
  const teamOpts: Opt[] = teams.data.map((t) => [t.id, t.name]);
  const toolbar = write
    ? h(
        'div',
        { class: 'toolbar' },
        action('Add quota', 'Add quota', (b) => quotaForm(ctx, providerOpts, teamOpts, b)),
      )
    : null;
  if (quotas.data.length === 0)
    return h('section', {}, toolbar, empty('No quotas are set. Spending and requests are not capped.'));
  const names = new Map([...providers.data, ...teams.data].map((p) => [p.id, p.name]));
  const statuses = await Promise.all(
    quotas.data.map((q) => api<Status>('GET', `/api/quotas/${q.id}/status`).catch(() => undefined)),
  );
  return h(
    'section',
    {},
    toolbar,
    h(
      'ul',
      { class: 'quotas', 'aria-label': 'Quotas' },
      ...quotas.data.map((q, i) => {
        const team = (q as Quota & { team_id?: string | null }).team_id;
        const who =
          q.scope === 'global'
            ? 'All providers'
            : q.scope === 'team'
              ? `Team ${names.get(team ?? '') ?? team}`
              : (names.get(q.provider_id ?? '') ?? q.provider_id ?? q.scope);
        const title = `${who}${q.model_id ? ` · ${q.model_id}` : ''} — ${q.quota_type.replace(/_/g, ' ')}${q.is_active ? '' : ' (inactive)'}`;
        const edit = write
          ? h(
              'span',
              { class: 'actions' },
              action('Edit', `Edit quota ${title}`, (b) => quotaForm(ctx, providerOpts, teamOpts, b, q)),
              confirmButton(
                'Delete',
                `Delete quota ${title}`,
                `Delete the quota “${title}”? Its limit stops applying at once.`,
                async () => {
                  await api('DELETE', `/api/quotas/${q.id}`);
                  ctx.refresh();
                },
              ),
            )
          : null;
        return gauge(q, statuses[i], title, edit);
      }),
    ),
  );
}

import { api, list } from '../api.js';
import { empty, h, pill, when } from '../dom.js';

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
function gauge(q: Quota, s: Status | undefined, title: string): HTMLElement {
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

/** Quota gauges with their soft and hard marks. */
export async function quotasView(): Promise<HTMLElement> {
  const [quotas, providers] = await Promise.all([
    list<Quota>('/api/quotas?limit=100'),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  if (quotas.data.length === 0) return empty('No quotas are set. Spending and requests are not capped.');
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
  const statuses = await Promise.all(
    quotas.data.map((q) => api<Status>('GET', `/api/quotas/${q.id}/status`).catch(() => undefined)),
  );
  return h(
    'ul',
    { class: 'quotas', 'aria-label': 'Quotas' },
    ...quotas.data.map((q, i) => {
      const who =
        q.scope === 'global' ? 'All providers' : (names.get(q.provider_id ?? '') ?? q.provider_id ?? q.scope);
      const title = `${who}${q.model_id ? ` · ${q.model_id}` : ''} — ${q.quota_type.replace(/_/g, ' ')}${q.is_active ? '' : ' (inactive)'}`;
      return gauge(q, statuses[i], title);
    }),
  );
}

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, errorText, list, raw } from '../api.js';
import { empty, h, table, usd } from '../dom.js';
import type { ViewContext } from './types.js';

interface Point {
  period: string;
  group?: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}
interface Usage {
  start: string;
  end: string;
  totals: Point & {
    errors: number;
    unpriced_requests: number;
    cache_hits: number;
    cache_hit_rate: number | null;
    cost_saved_usd: number;
  };
  series: Point[];
}

const RANGES = {
  '24h': { ms: 86_400_000, granularity: 'hour', step: 3600 },
  '30d': { ms: 30 * 86_400_000, granularity: 'day', step: 86_400 },
} as const;
type Range = keyof typeof RANGES;
/** Colour-blind-safe (Okabe–Ito), each ≥ 3:1 against white. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

let range: Range = '24h';
type Group = 'provider' | 'model' | 'team' | 'api_key';
let groupBy: Group = 'provider';
const GROUP_LABELS: Record<Group, string> = {
  provider: 'Provider',
  model: 'Model',
  team: 'Team',
  api_key: 'API key',
};

/** Cost per period for each group, zeros where a group had no calls. */
function columns(usage: Usage, step: number): { xs: number[]; groups: string[]; ys: number[][] } {
  const first = Math.floor(Date.parse(usage.start) / 1000);
  const xs: number[] = [];
  for (let t = first; t < Date.parse(usage.end) / 1000; t += step) xs.push(t);
  const groups = [...new Set(usage.series.map((p) => p.group ?? 'all'))].sort();
  const ys = groups.map(() => xs.map(() => 0));
  for (const p of usage.series) {
    const i = xs.indexOf(Math.floor(Date.parse(p.period) / 1000));
    const row = ys[groups.indexOf(p.group ?? 'all')];
    if (row && i >= 0) row[i] = (row[i] ?? 0) + p.cost_usd;
  }
  return { xs, groups, ys };
}

function chart(usage: Usage, label: (g: string) => string, step: number): HTMLElement {
  const { xs, groups, ys } = columns(usage, step);
  const holder = h('div', {
    class: 'chart',
    role: 'img',
    'aria-label': `Cost in USD per ${step === 3600 ? 'hour' : 'day'} by ${groupBy}; the table below has the same totals.`,
  });
  const width = Math.max(320, Math.min(1000, document.documentElement.clientWidth - 80));
  new uPlot(
    {
      width,
      height: 280,
      scales: { x: { time: true } },
      axes: [{}, { label: 'Cost (USD)', values: (_u, v) => v.map((n) => `$${n.toFixed(2)}`), size: 70 }],
      series: [
        {},
        ...groups.map((g, i) => ({
          label: label(g),
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : usd(v)),
        })),
      ],
    },
    [xs, ...ys],
    holder,
  );
  return holder;
}

function select(
  id: string,
  text: string,
  value: string,
  options: [string, string][],
  onChange: (v: string) => void,
) {
  const el = h(
    'select',
    { id },
    ...options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
  );
  el.addEventListener('change', () => onChange(el.value));
  return h('span', { class: 'field' }, h('label', { for: id }, text), el);
}

/** Usage and cost over time by provider or model: a chart and the same numbers as a table. */
export async function usageView({ refresh }: ViewContext): Promise<HTMLElement> {
  const r = RANGES[range];
  const start = new Date(Date.now() - r.ms).toISOString();
  const q = `granularity=${r.granularity}&group_by=${groupBy}&start_date=${encodeURIComponent(start)}`;
  const [usage, providers, teams, keys] = await Promise.all([
    api<Usage>('GET', `/api/usage?${q}`),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
    list<{ id: string; name: string }>('/api/teams?limit=100').catch(() => ({ data: [] })),
    list<{ id: string; name: string }>('/api/keys?limit=100').catch(() => ({ data: [] })),
  ]);
  const names = new Map([...providers.data, ...teams.data, ...keys.data].map((p) => [p.id, p.name]));
  const label = (g: string) =>
    groupBy === 'model' ? g : groupBy === 'team' && g === 'none' ? 'no team' : (names.get(g) ?? g);
  const status = h('p', { role: 'status', class: 'help' });
  const download = h('button', { type: 'button', id: 'usage-csv' }, 'Download CSV');
  download.addEventListener('click', async () => {
    try {
      const res = await raw('GET', `/api/usage?${q}`, { accept: 'text/csv' });
      const name =
        /filename="?([^";]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'usage.csv';
      const url = URL.createObjectURL(await res.blob());
      const link = h('a', { href: url, download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = `Downloaded ${name}.`;
    } catch (error) {
      status.textContent = `Download failed: ${errorText(error)}`;
    }
  });
  const controls = h(
    'div',
    { class: 'controls' },
    select(
      'usage-range',
      'Range',
      range,
      [
        ['24h', 'Last 24 hours, hourly'],
        ['30d', 'Last 30 days, daily'],
      ],
      (v) => {
        range = v as Range;
        refresh();
      },
    ),
    select('usage-group', 'Group by', groupBy, Object.entries(GROUP_LABELS) as [string, string][], (v) => {
      groupBy = v as Group;
      refresh();
    }),
    download,
    status,
  );
  const t = usage.totals;
  const summary = h(
    'ul',
    { class: 'totals', 'aria-label': 'Usage totals', 'data-testid': 'usage-totals' },
    h('li', {}, h('b', {}, t.requests.toLocaleString('en-US')), ' requests'),
    h('li', {}, h('b', {}, t.errors.toLocaleString('en-US')), ' errors'),
    h('li', {}, h('b', {}, (t.input_tokens + t.output_tokens).toLocaleString('en-US')), ' tokens'),
    h('li', {}, h('b', {}, usd(t.cost_usd)), ' cost'),
    h('li', {}, h('b', {}, t.cache_hits.toLocaleString('en-US')), ' cache hits'),
    h('li', {}, h('b', {}, usd(t.cost_saved_usd)), ' saved by the cache'),
    t.unpriced_requests > 0 &&
      h('li', {}, h('b', {}, t.unpriced_requests), ' unpriced requests (cost unknown)'),
  );
  if (usage.series.every((p) => p.requests === 0)) {
    return h(
      'section',
      { 'aria-label': 'Usage' },
      controls,
      summary,
      empty('No AI calls were recorded in this range.'),
    );
  }
  const byGroup = new Map<string, Point>();
  for (const p of usage.series) {
    const g = p.group ?? 'all';
    const acc = byGroup.get(g) ?? { period: '', requests: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
    acc.requests += p.requests;
    acc.input_tokens += p.input_tokens;
    acc.output_tokens += p.output_tokens;
    acc.cost_usd += p.cost_usd;
    byGroup.set(g, acc);
  }
  const rows = [...byGroup].map(([g, p]) => [
    label(g),
    p.requests.toLocaleString('en-US'),
    p.input_tokens.toLocaleString('en-US'),
    p.output_tokens.toLocaleString('en-US'),
    usd(p.cost_usd),
  ]);
  return h(
    'section',
    { 'aria-label': 'Usage' },
    controls,
    summary,
    h(
      'figure',
      {},
      chart(usage, label, r.step),
      h('figcaption', {}, `Cost per ${r.granularity} by ${groupBy}`),
    ),
    table(
      `Totals by ${GROUP_LABELS[groupBy].toLowerCase()}`,
      [GROUP_LABELS[groupBy], 'Requests', 'Input tokens', 'Output tokens', 'Cost'],
      rows,
    ),
  );
}

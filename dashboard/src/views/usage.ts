import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, list } from '../api.js';
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
  totals: Point & { errors: number; unpriced_requests: number };
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
let groupBy: 'provider' | 'model' = 'provider';

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
  const [usage, providers] = await Promise.all([
    api<Usage>('GET', `/api/usage?${q}`),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
  const label = (g: string) => (groupBy === 'provider' ? (names.get(g) ?? g) : g);
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
    select(
      'usage-group',
      'Group by',
      groupBy,
      [
        ['provider', 'Provider'],
        ['model', 'Model'],
      ],
      (v) => {
        groupBy = v as 'provider' | 'model';
        refresh();
      },
    ),
  );
  const t = usage.totals;
  const summary = h(
    'ul',
    { class: 'totals', 'aria-label': 'Usage totals', 'data-testid': 'usage-totals' },
    h('li', {}, h('b', {}, t.requests.toLocaleString('en-US')), ' requests'),
    h('li', {}, h('b', {}, t.errors.toLocaleString('en-US')), ' errors'),
    h('li', {}, h('b', {}, (t.input_tokens + t.output_tokens).toLocaleString('en-US')), ' tokens'),
    h('li', {}, h('b', {}, usd(t.cost_usd)), ' cost'),
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
      `Totals by ${groupBy}`,
      [groupBy === 'provider' ? 'Provider' : 'Model', 'Requests', 'Input tokens', 'Output tokens', 'Cost'],
      rows,
    ),
  );
}

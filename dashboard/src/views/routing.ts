import { api, list } from '../api.js';
import { action, empty, h, pill, table } from '../dom.js';
import { apiForm, confirmButton, field, group, openDialog } from '../forms.js';
import type { ViewContext } from './types.js';

interface Target {
  provider_id: string;
  model: string | null;
  weight: number;
}
interface Rule {
  id: string;
  rule_name: string;
  rule_type: string;
  service_type: string;
  model_pattern: string;
  targets: Target[];
  fallback_enabled: boolean;
  retry_policy: { max_attempts: number; backoff_base_ms: number; backoff_max_ms: number; retry_on: string[] };
  priority: number;
  is_active: boolean;
  version: number;
}
type Opt = [string, string];

const RULE_TYPES = ['primary_fallback', 'round_robin', 'weighted', 'least_latency', 'cost_optimized'];
const SERVICES = ['llm', 'embedding', 'rerank', 'tts', 'stt', 'vision', 'image', 'moderation'];
const RETRY = ['connect_error', 'timeout', 'rate_limited', 'server_error', 'overloaded'];
const opts = (list: string[]): Opt[] => list.map((v) => [v, v.replace(/_/g, ' ')]);

/** The targets editor: one row per target, in order; rows are renumbered as they come and go. */
function targetsEditor(providers: Opt[], initial: Target[]): HTMLFieldSetElement {
  const rows = h('ol', { class: 'target-rows' });
  const renumber = () => {
    Array.from(rows.children).forEach((row, i) => {
      for (const el of Array.from(row.querySelectorAll<HTMLElement>('[name], [data-field]'))) {
        for (const attr of ['name', 'data-field']) {
          const v = el.getAttribute(attr);
          if (v) el.setAttribute(attr, v.replace(/^targets\.\d+/, `targets.${i}`));
        }
      }
      for (const label of Array.from(row.querySelectorAll('label'))) {
        label.textContent = (label.textContent ?? '').replace(/^Target \d+/, `Target ${i + 1}`);
      }
      const remove = row.querySelector<HTMLButtonElement>('button.remove');
      remove?.setAttribute('aria-label', `Remove target ${i + 1}`);
    });
  };
  const add = (t?: Partial<Target>) => {
    const i = rows.children.length;
    const row = h(
      'li',
      { class: 'target-row' },
      field({
        name: `targets.${i}.provider_id`,
        label: `Target ${i + 1} provider`,
        type: 'select',
        value: t?.provider_id ?? providers[0]?.[0],
        options: providers,
      }),
      field({
        name: `targets.${i}.model`,
        label: `Target ${i + 1} model (empty: as requested)`,
        value: t?.model,
      }),
      field({
        name: `targets.${i}.weight`,
        label: `Target ${i + 1} weight`,
        type: 'number',
        value: t?.weight,
      }),
      h('button', { type: 'button', class: 'remove' }, 'Remove'),
    );
    row.querySelector('button.remove')?.addEventListener('click', () => {
      row.remove();
      renumber();
      rows.querySelector<HTMLElement>('select')?.focus();
    });
    rows.append(row);
    renumber();
  };
  for (const t of initial) add(t);
  if (initial.length === 0) add();
  const more = h('button', { type: 'button' }, 'Add target');
  more.addEventListener('click', () => {
    add();
    rows.lastElementChild?.querySelector<HTMLElement>('select')?.focus();
  });
  return group('targets', 'Targets, tried in order (weights share traffic in a weighted rule)', rows, more);
}

function ruleForm(ctx: ViewContext, providers: Opt[], opener: HTMLElement, r?: Rule): void {
  let close = () => {};
  const title = r ? `Edit rule ${r.rule_name}` : 'Add a routing rule';
  const p = r?.retry_policy;
  const form = apiForm(
    title,
    [
      { name: 'rule_name', label: 'Rule name', required: true, value: r?.rule_name },
      {
        name: 'rule_type',
        label: 'Rule type',
        type: 'select',
        value: r?.rule_type ?? 'primary_fallback',
        options: opts(RULE_TYPES),
      },
      {
        name: 'service_type',
        label: 'Service',
        type: 'select',
        value: r?.service_type ?? 'llm',
        options: opts(SERVICES),
      },
      {
        name: 'model_pattern',
        label: 'Model pattern',
        required: true,
        value: r?.model_pattern,
        help: 'A model id, or a glob: * any run of characters, ? one character (e.g. gpt-4o*).',
      },
      targetsEditor(providers, r?.targets ?? []),
      {
        name: 'fallback_enabled',
        label: 'Fall back to the next target on failure',
        type: 'checkbox',
        value: r?.fallback_enabled ?? true,
      },
      group(
        'retry_policy',
        'Retry policy',
        field({
          name: 'retry_policy.max_attempts',
          label: 'Attempts at most',
          type: 'number',
          value: p?.max_attempts ?? 3,
        }),
        field({
          name: 'retry_policy.backoff_base_ms',
          label: 'First backoff (ms)',
          type: 'number',
          value: p?.backoff_base_ms ?? 200,
        }),
        field({
          name: 'retry_policy.backoff_max_ms',
          label: 'Longest backoff (ms)',
          type: 'number',
          value: p?.backoff_max_ms ?? 5000,
        }),
        field({
          name: 'retry_policy.retry_on',
          label: 'Retry on',
          type: 'select',
          multiple: true,
          value: p?.retry_on ?? ['connect_error', 'timeout', 'rate_limited', 'server_error', 'overloaded'],
          options: opts(RETRY),
        }),
      ),
      { name: 'priority', label: 'Priority (lower wins)', type: 'number', value: r?.priority ?? 100 },
      { name: 'is_active', label: 'Active', type: 'checkbox', value: r?.is_active ?? true },
    ],
    r ? 'Save rule' : 'Add rule',
    async (body) => {
      if (r) await api('PATCH', `/api/providers/routing-rules/${r.id}`, { ...body, version: r.version });
      else await api('POST', '/api/providers/routing-rules', body);
      close();
      ctx.refresh();
    },
  );
  close = openDialog(title, form, opener);
}

/** Routing rules in priority order; writers add, edit (targets, weights, retry policy) and delete them. */
export async function routingView(ctx: ViewContext): Promise<HTMLElement> {
  const [rules, providers] = await Promise.all([
    list<Rule>('/api/providers/routing-rules?limit=100'),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  const write = ctx.can('write');
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
  const providerOpts: Opt[] = providers.data.map((p) => [p.id, p.name]);
  const toolbar = write
    ? h(
        'div',
        { class: 'toolbar' },
        action('Add rule', 'Add rule', (b) => ruleForm(ctx, providerOpts, b)),
      )
    : null;
  if (rules.data.length === 0)
    return h(
      'section',
      {},
      toolbar,
      empty('No routing rules: requests go to the provider that serves the model.'),
    );
  const rows = [...rules.data]
    .sort((a, b) => a.priority - b.priority)
    .map((r) => [
      h('span', { class: 'strong' }, r.rule_name),
      r.rule_type.replace(/_/g, ' '),
      r.service_type,
      h('code', {}, r.model_pattern),
      h(
        'ol',
        { class: 'targets' },
        ...r.targets.map((t) =>
          h(
            'li',
            {},
            `${names.get(t.provider_id) ?? t.provider_id}${t.model ? ` → ${t.model}` : ''}${r.rule_type === 'weighted' ? ` (weight ${t.weight})` : ''}`,
          ),
        ),
      ),
      `${r.retry_policy.max_attempts} attempts, ${r.retry_policy.backoff_base_ms}–${r.retry_policy.backoff_max_ms} ms`,
      r.fallback_enabled ? 'yes' : 'no',
      r.priority,
      pill(r.is_active ? 'active' : 'inactive'),
      write
        ? h(
            'span',
            { class: 'actions' },
            action('Edit', `Edit ${r.rule_name}`, (b) => ruleForm(ctx, providerOpts, b, r)),
            confirmButton(
              'Delete',
              `Delete ${r.rule_name}`,
              `Delete the rule “${r.rule_name}”?`,
              async () => {
                await api('DELETE', `/api/providers/routing-rules/${r.id}`);
                ctx.refresh();
              },
            ),
          )
        : '—',
    ]);
  return h(
    'section',
    {},
    toolbar,
    table(
      `${rules.data.length} rule(s), by priority`,
      [
        'Name',
        'Type',
        'Service',
        'Model pattern',
        'Targets',
        'Retries',
        'Fallback',
        'Priority',
        'State',
        'Actions',
      ],
      rows,
    ),
  );
}

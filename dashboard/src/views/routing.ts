import { list } from '../api.js';
import { empty, h, pill, table } from '../dom.js';

interface Rule {
  rule_name: string;
  rule_type: string;
  service_type: string;
  model_pattern: string;
  targets: { provider_id: string; model: string | null; weight: number }[];
  fallback_enabled: boolean;
  priority: number;
  is_active: boolean;
}

/** Routing rules in priority order, with their targets by provider name. */
export async function routingView(): Promise<HTMLElement> {
  const [rules, providers] = await Promise.all([
    list<Rule>('/api/providers/routing-rules?limit=100'),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  if (rules.data.length === 0)
    return empty('No routing rules: requests go to the provider that serves the model.');
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
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
      r.fallback_enabled ? 'yes' : 'no',
      r.priority,
      pill(r.is_active ? 'active' : 'inactive'),
    ]);
  return table(
    `${rules.data.length} rule(s), by priority`,
    ['Name', 'Type', 'Service', 'Model pattern', 'Targets', 'Fallback', 'Priority', 'State'],
    rows,
  );
}

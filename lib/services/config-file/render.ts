/** A plan in words, as `config:plan` and `config:apply` print it. */
import type { Change, Plan } from './plan.js';

const SIGN: Record<Change['action'], string> = { create: '+', update: '~', delete: '-' };
const VERB: Record<Change['action'], string> = { create: 'create', update: 'change', delete: 'delete' };

const show = (value: unknown) => (value === null || value === undefined ? '(none)' : JSON.stringify(value));

/** One line per change (`+ provider "openai"`), the changed fields under it, then the notes and a total. */
export function renderPlan(plan: Plan, options: { applied?: boolean } = {}): string {
  const lines: string[] = [];
  for (const change of plan.changes) {
    lines.push(`  ${SIGN[change.action]} ${VERB[change.action]} ${change.label}`);
    for (const f of change.fields ?? []) lines.push(`      ${f.field}: ${show(f.from)} -> ${show(f.to)}`);
  }
  for (const note of plan.notes) lines.push(`  ! ${note}`);
  const count = (action: Change['action']) => plan.changes.filter((c) => c.action === action).length;
  const verbs = options.applied ? ['created', 'changed', 'deleted'] : ['to create', 'to change', 'to delete'];
  const total =
    plan.changes.length === 0
      ? `No changes. ${plan.unchanged} object${plan.unchanged === 1 ? '' : 's'} already as declared.`
      : `${count('create')} ${verbs[0]}, ${count('update')} ${verbs[1]}, ${count('delete')} ${verbs[2]}; ${plan.unchanged} unchanged.`;
  return `${[...lines, total].join('\n')}\n`;
}

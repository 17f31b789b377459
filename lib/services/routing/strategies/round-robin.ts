import type { Gateway } from '../../../runtime/gateway.js';
import { keys } from '../../../store/keys.js';
import type { Strategy } from './types.js';

/**
 * Advances a rule's shared round-robin cursor by one (atomic `ADD`) and returns the new value. All
 * instances share it, so N resolutions over k targets give each target N/k ± 1, whatever the number
 * of instances. One write per resolution: the cost of exact rotation.
 */
export async function nextRoundRobin(deps: Gateway, ruleId: string): Promise<number> {
  const out = await deps.table.update({
    key: keys.routingCounter(ruleId),
    add: { n: 1 },
    set: { entity: 'rr_counter' },
    returnValues: 'UPDATED_NEW',
  });
  return Number((out.applied ? out.item?.n : undefined) ?? 1);
}

/** round_robin: rotates the eligible targets so that the cursor's target comes first. */
export const roundRobin: Strategy = async (targets, ctx) => {
  if (targets.length < 2 || !ctx.rule) return [...targets];
  const n = await nextRoundRobin(ctx.deps, ctx.rule.id);
  const start = (n - 1) % targets.length;
  return [...targets.slice(start), ...targets.slice(0, start)];
};

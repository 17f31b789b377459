import type { Gateway } from '../../../runtime/gateway.js';
import { stateSlot } from '../../../state-slots.js';
import type { Strategy } from './types.js';

/** This instance's round-robin cursors, by rule id: the last position it handed out. */
const CURSORS = stateSlot<Gateway, Map<string, number>>('round-robin cursors', () => new Map());

/**
 * Advances this instance's cursor of a rule by one and returns the new position (1, 2, …). The
 * first position of a rule is drawn from `random`, so instances do not all start on the same
 * target. No table access: a shared counter would be one item written by every AI request of the
 * rule (10,000 writes a second at 10,000 requests a second, ten times what one partition takes).
 *
 * The cost is exactness across instances. Each instance rotates exactly (its own calls give each of
 * k targets n/k ± 1), so over all instances a target's count is within one per instance of the even
 * share: |count − N/k| ≤ the number of instances that resolved the rule (and, with random starts,
 * typically about its square root). The bound holds at any N, so the relative imbalance vanishes as
 * traffic grows.
 */
export function nextRoundRobin(deps: Gateway, ruleId: string, random: () => number): number {
  const cursors = deps.state(CURSORS);
  const last = cursors.get(ruleId) ?? Math.floor(random() * 1_000_000);
  const next = (last % 1_000_000_000) + 1;
  cursors.set(ruleId, next);
  return next;
}

/** round_robin: rotates the eligible targets so that the cursor's target comes first. */
export const roundRobin: Strategy = async (targets, ctx) => {
  if (targets.length < 2 || !ctx.rule) return [...targets];
  const n = nextRoundRobin(ctx.deps, ctx.rule.id, ctx.random);
  const start = (n - 1) % targets.length;
  return [...targets.slice(start), ...targets.slice(0, start)];
};

import { latencyOf } from '../latency.js';
import type { Strategy } from './types.js';

/**
 * least_latency: fastest first by latency EWMA (see `latency.ts`). A target never measured ranks
 * first, so it gets measured; ties keep the rule's order.
 */
export const leastLatency: Strategy = async (targets, ctx) => {
  const score = (i: number) => {
    const t = targets[i]!;
    return latencyOf(ctx.deps, ctx.snapshot, { providerId: t.provider.id, modelId: t.modelId }) ?? -1;
  };
  return targets
    .map((t, i) => ({ t, i, s: score(i) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.t);
};

import type { RuleType } from '../../../schemas/routing.js';
import { costOptimized } from './cost-optimized.js';
import { leastLatency } from './least-latency.js';
import { primaryFallback } from './primary-fallback.js';
import { roundRobin } from './round-robin.js';
import type { Strategy } from './types.js';
import { weighted } from './weighted.js';

export type { Eligible, Strategy, StrategyContext } from './types.js';

/** One small function per rule type: the rule document is data, this map is the code that runs it. */
export const STRATEGIES: Readonly<Record<RuleType, Strategy>> = {
  primary_fallback: primaryFallback,
  round_robin: roundRobin,
  weighted,
  least_latency: leastLatency,
  cost_optimized: costOptimized,
};

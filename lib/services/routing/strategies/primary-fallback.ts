import type { Strategy } from './types.js';

/** primary_fallback: the rule's order as written (without a rule: provider priority). */
export const primaryFallback: Strategy = async (targets) => [...targets];

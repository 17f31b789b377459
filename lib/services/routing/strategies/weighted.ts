import type { Eligible, Strategy } from './types.js';

/**
 * weighted: the first target is drawn with probability weight / total; the failover order after it
 * is drawn the same way from the rest (sampling without replacement). Zero-weight targets never
 * come first; they stay last, as fallbacks.
 */
export const weighted: Strategy = async (targets, ctx) => {
  const pool: Eligible[] = targets.filter((t) => t.weight > 0);
  const order: Eligible[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let point = ctx.random() * total;
    let index = pool.findIndex((t) => {
      point -= t.weight;
      return point < 0;
    });
    if (index < 0) index = pool.length - 1;
    order.push(...pool.splice(index, 1));
  }
  return [...order, ...targets.filter((t) => t.weight <= 0)];
};

import { nanosToUsd } from '../usage/units.js';
import type { AiRun } from './pipeline.js';

/**
 * The `x-gateway-*` headers of an AI answer: who served it, after how many upstream calls, and
 * the time the gateway itself added (elapsed minus time waiting on upstreams), in milliseconds.
 * Under a cost quota, also `x-gateway-budget-remaining` (USD left in the tightest cost quota that
 * applies: for a strict quota, after holding this call's maximum cost; for an async one, as its
 * last evaluated state says) and `x-gateway-budget-reset` (when that quota's window ends, ISO).
 * For cached operations, `x-gateway-cache` (`hit`, `miss` or `bypass`) and, on a hit,
 * `x-gateway-cache-age` (seconds since the answer was stored; the provider and model named are
 * those that served it then, and `x-gateway-attempts` is 0); where the cache was read,
 * `server-timing: cache;dur=<ms>` (the item read, part of the overhead).
 */
export function gatewayHeaders(
  run: Pick<AiRun<unknown>, 'candidate' | 'attempts' | 'upstreamMs'> &
    Partial<Pick<AiRun<unknown>, 'budget' | 'cache'>>,
  receivedAt: number,
): Record<string, string> {
  const elapsed = performance.now() - receivedAt;
  const overhead = Math.max(0, elapsed - run.upstreamMs);
  return {
    'x-gateway-provider': run.candidate.provider.name,
    'x-gateway-model': run.candidate.modelId,
    'x-gateway-attempts': String(run.attempts),
    'x-gateway-overhead-ms': overhead.toFixed(2),
    ...(run.cache ? { 'x-gateway-cache': run.cache.status } : {}),
    ...(run.cache?.ageSeconds === undefined ? {} : { 'x-gateway-cache-age': String(run.cache.ageSeconds) }),
    ...(run.cache?.readMs === undefined
      ? {}
      : { 'server-timing': `cache;dur=${run.cache.readMs.toFixed(2)}` }),
    ...(run.budget
      ? {
          'x-gateway-budget-remaining': String(nanosToUsd(run.budget.remainingNanos)),
          'x-gateway-budget-reset': new Date(run.budget.resetsAtMs).toISOString(),
        }
      : {}),
  };
}

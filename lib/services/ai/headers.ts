import type { AiRun } from './pipeline.js';

/**
 * The `x-gateway-*` headers of an AI answer: who served it, after how many upstream calls, and
 * the time the gateway itself added (elapsed minus time waiting on upstreams), in milliseconds.
 */
export function gatewayHeaders(
  run: Pick<AiRun<unknown>, 'candidate' | 'attempts' | 'upstreamMs'>,
  receivedAt: number,
): Record<string, string> {
  const elapsed = performance.now() - receivedAt;
  const overhead = Math.max(0, elapsed - run.upstreamMs);
  return {
    'x-gateway-provider': run.candidate.provider.name,
    'x-gateway-model': run.candidate.modelId,
    'x-gateway-attempts': String(run.attempts),
    'x-gateway-overhead-ms': overhead.toFixed(2),
  };
}

import { describeError, logger } from '../../observability.js';
import type { CacheHit, CacheOutcome } from '../cache/session.js';
import { recordUsage } from '../usage/record.js';
import type { AiCall, AiRun } from './pipeline.js';

/**
 * The run of a request answered from the cache: no upstream call, no quota hold, no credential.
 * Its books record a cache hit on the original provider and model: a request with the answer's
 * tokens and the cost it saved (`cache_hits`, `cache_hit_tokens`, `cost_saved_nanos`), at zero cost,
 * so cost quotas and budgets are untouched. Rate limits already counted it (admission comes first).
 */
export function hitRun<T>(
  call: AiCall<T>,
  input: { hit: CacheHit<T>; outcome: CacheOutcome; startedAt: number },
): AiRun<T> {
  const { deps, principal } = call;
  const { hit, startedAt } = input;
  let finished = false;
  const close = async (latencyMs: number) => {
    try {
      await recordUsage(deps, {
        at: startedAt,
        providerId: hit.candidate.provider.id,
        modelId: hit.candidate.modelId,
        apiKeyId: principal.keyId,
        teamId: principal.teamId,
        serviceType: call.usageKind,
        usage: hit.answer.usage ?? { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 },
        latencyMs,
        outcome: 'success',
        cacheHit: true,
      });
    } catch (error) {
      logger.error('cache hit not recorded', { error: describeError(error) });
    }
  };
  return {
    value: hit.value,
    candidate: hit.candidate,
    attempts: 0,
    upstreamMs: 0,
    cache: input.outcome,
    async finish() {
      if (finished) return;
      finished = true;
      const latencyMs = deps.now() - startedAt;
      if (call.afterResponse) call.afterResponse(() => close(latencyMs));
      else await close(latencyMs);
    },
  };
}

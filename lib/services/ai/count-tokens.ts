/**
 * Token counting (`POST /v1/messages/count_tokens`) for any model, routed as a chat would be (the
 * caller's scope, routing rules, catalog, capabilities, open circuits skipped), then counted by the
 * best source the candidate has:
 *
 * | candidate | how | `x-gateway-token-count` |
 * |---|---|---|
 * | Anthropic | the provider's `/v1/messages/count_tokens` | `exact` |
 * | Bedrock, Claude models | Bedrock's CountTokens API | `exact` |
 * | OpenAI | OpenAI's tokenizer and billing rules (`lib/ai/token-count`) | `exact`, or `estimated` where a rule is unpublished |
 * | anything else (other models on Bedrock, Cohere, Hugging Face, custom hosts, the mock) | the same OpenAI count | `estimated` |
 *
 * A count is free: it records no usage, holds and settles no quota, and never changes a circuit or
 * a provider's rate limit (providers meter counting apart from inference). It is admitted against
 * the caller's and the gateway's request limits as one request of zero tokens, so a client cannot
 * flood a provider through the gateway. An upstream counter that fails over retryable errors moves
 * to the next candidate, as a chat does.
 */
import { type Credential, countsTokensUpstream, invokeCountTokens } from '../../adapters/index.js';
import { anthropicToCanonical } from '../../ai/anthropic-compat.js';
import type { AnthropicCountTokensRequest } from '../../ai/schemas/anthropic-messages.js';
import { countOpenAIPrompt } from '../../ai/token-count/openai-count.js';
import type { Principal } from '../../auth/roles.js';
import { ServiceUnavailableError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { admitRequest, type Candidate, executeWithFailover, resolveRoute } from '../routing/index.js';
import { credentialFor } from './gate.js';
import { chatNeeds } from './needs.js';
import { nothingToRoute } from './pipeline.js';

/** Whether a count is the provider's own (or follows its published rules), or the gateway's estimate. */
export type TokenCountExactness = 'exact' | 'estimated';

/** A served count, with who served it (for the `x-gateway-*` headers). */
export interface TokenCountRun {
  input_tokens: number;
  exactness: TokenCountExactness;
  candidate: Candidate;
  attempts: number;
  /** Milliseconds spent calling an upstream counter (0 for a local count). */
  upstreamMs: number;
}

/** One count request. */
export interface CountTokensInput {
  principal: Principal;
  request: AnthropicCountTokensRequest;
  /** Epoch ms by which an upstream counter must have answered. */
  deadlineMs: number;
  signal?: AbortSignal;
}

type Ticket = { credential: Credential } | { local: true };

const upstreamCounts = (candidate: Candidate) => countsTokensUpstream(candidate.provider, candidate.modelId);

/**
 * Counts the input tokens of a Messages request for the model it names.
 *
 * @throws 429 when the caller's or the gateway's request limit is reached; 404/503 when no candidate
 *   serves the model (as a chat); an upstream counter's error when every upstream attempt failed.
 */
export async function countTokens(deps: Gateway, input: CountTokensInput): Promise<TokenCountRun> {
  const { principal, request } = input;
  const admission = await admitRequest(deps, { principal, tokens: 0 });
  if (!admission.admitted) throw admission.error;
  const canonical = anthropicToCanonical({ ...request, max_tokens: 1 });
  const { needs } = chatNeeds(canonical);
  const route = await resolveRoute(deps, {
    serviceType: 'llm',
    model: request.model,
    needs: { vision: needs.vision ?? false, tools: needs.tools ?? false },
    principal,
  });
  if (route.candidates.length === 0) throw nothingToRoute(route.skipped);
  let upstreamMs = 0;
  const result = await executeWithFailover<{ tokens: number; exact: boolean }, Candidate, Ticket>({
    candidates: route.candidates,
    policy: route.policy,
    deadlineMs: input.deadlineMs,
    ...(input.signal ? { signal: input.signal } : {}),
    hooks: {
      async before(candidate) {
        if (!upstreamCounts(candidate)) return { allow: true, ticket: { local: true } };
        const found = await credentialFor(deps, candidate);
        if (found) return { allow: true, ticket: { credential: found.credential } };
        const error = new ServiceUnavailableError('The provider has no usable credential.', {
          code: 'no_credential',
        });
        return { allow: false, error };
      },
      async after(_candidate, report) {
        if (!('local' in report.ticket)) upstreamMs += report.latencyMs;
      },
    },
    attempt: async (candidate, _n, signal, ticket) => {
      if ('local' in ticket) {
        const counted = await countOpenAIPrompt(canonical, candidate.modelId);
        return {
          tokens: counted.tokens,
          exact: counted.exact && candidate.provider.provider_type === 'openai',
        };
      }
      const counted = await invokeCountTokens({
        provider: candidate.provider,
        model: candidate.modelId,
        request,
        credential: ticket.credential,
        deps: deps.upstream,
        deadline: input.deadlineMs,
        signal,
      });
      return { tokens: counted.response.input_tokens, exact: true };
    },
  });
  return {
    input_tokens: result.value.tokens,
    exactness: result.value.exact ? 'exact' : 'estimated',
    candidate: result.candidate,
    attempts: result.attempts,
    upstreamMs,
  };
}

import { countTextTokens } from '../../ai/token-count/openai-count.js';
import type { NormalizedUsage, ReportedUsage } from '../../ai/types.js';
import type { Principal } from '../../auth/roles.js';
import { type GatewayError, NotFoundError, ServiceUnavailableError } from '../../errors.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ServiceType } from '../../schemas/providers.js';
import type { ExpectedImages } from '../quotas/index.js';
import type { BudgetView } from '../quotas/remaining.js';
import {
  admitRequest,
  type Candidate,
  executeWithFailover,
  type RequestNeeds,
  resolveRoute,
} from '../routing/index.js';
import type { UsageOutcome } from '../usage/record.js';
import { type OpenBooks, openBooks } from './books.js';
import { type AiTicket, aiHooks } from './gate.js';

/** One AI operation to serve: what to route, and how to call one candidate. */
export interface AiCall<T> {
  deps: Gateway;
  principal: Principal;
  serviceType: ServiceType;
  /** Usage's service type (`llm`, `embedding`, `rerank`, `tts`, `stt`). */
  usageKind: string;
  model: string;
  needs: RequestNeeds;
  inputTokens: number;
  maxOutputTokens: number;
  /** Images the call asks for (image generation): strict quota holds include their price. */
  expectedImages?: ExpectedImages;
  stream: boolean;
  /** Epoch ms by which an answer must have started (from the function's remaining time). */
  deadlineMs: number;
  signal?: AbortSignal;
  /**
   * Defers closing the books until the response is complete (the handler's `afterResponse`), so
   * the usage write is not on the caller's time. Without it, `finish` does the work before resolving.
   */
  afterResponse?: (task: () => Promise<void>) => void;
  /** Calls one candidate with its credential; must honour `signal`. */
  invoke(candidate: Candidate, ticket: AiTicket, signal: AbortSignal): Promise<T>;
}

/** A served operation: its value, who served it, and how to close its books. */
export interface AiRun<T> {
  value: T;
  candidate: Candidate;
  attempts: number;
  /** Milliseconds spent in upstream calls (for a stream: until its first chunk). */
  upstreamMs: number;
  /** The tightest cost quota that applied to the call that served (for the budget headers). */
  budget?: BudgetView;
  /**
   * Records usage and settles strict quota holds with what the provider reported (once; a stream
   * calls it at its end, before its last event). The usage and the settlement are durable when
   * it resolves (the local journal); the writes run after the response where the call allows it
   * (`afterResponse`). Never throws: the caller's answer is already decided.
   */
  finish(usage: NormalizedUsage | null, outcome: UsageOutcome): Promise<void>;
  /**
   * Closes the books of a stream the client abandoned: status `cancelled`, the input tokens the
   * provider reported (else the request's estimate) and the output tokens produced so far (the
   * provider's figure when it is at least what was streamed, else the streamed text counted with
   * the model's tokenizer), at the model's price. Quotas see that spend.
   */
  cancelled(partial: { usage: ReportedUsage; text: string }): Promise<void>;
}

const ZERO_USAGE = { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 };

/** The answer when routing left no candidate: 404 when nothing the caller may see serves the model, else 503. */
export function nothingToRoute(skipped: Array<{ reason: string }>): GatewayError {
  // What lies outside the caller's scope reads exactly like what does not exist.
  const reasons = [
    ...new Set(skipped.map((s) => (s.reason === 'out_of_scope' ? 'not_in_catalog' : s.reason))),
  ];
  // No reasons on a 404: a model that exists outside the caller's scope (skipped as out of scope)
  // and a model that exists nowhere (nothing skipped) must answer byte for byte alike.
  if (reasons.length === 0 || reasons.every((r) => r === 'not_in_catalog')) return new NotFoundError('Model');
  return new ServiceUnavailableError('No provider can serve this model now.', {
    code: 'no_available_provider',
    retryAfterSeconds: 1,
    details: { reasons },
  });
}

/**
 * Serves one AI operation: the caller's and the gateway's rate limits, route resolution, then
 * failover over the candidates (each gated by quotas, credentials, circuits and provider limits).
 */
export async function runAi<T>(call: AiCall<T>): Promise<AiRun<T>> {
  const { deps, principal } = call;
  const startedAt = deps.now();
  const tokens = call.inputTokens + call.maxOutputTokens;
  const admission = await admitRequest(deps, { principal, tokens });
  if (!admission.admitted) throw admission.error;
  const route = await resolveRoute(deps, {
    serviceType: call.serviceType,
    model: call.model,
    needs: call.needs,
    principal,
  });
  if (route.candidates.length === 0) throw nothingToRoute(route.skipped);
  let upstreamMs = 0;
  const ctx = { ...call, startedAt };
  const hooks = aiHooks(deps, ctx);
  const result = await executeWithFailover({
    candidates: route.candidates,
    policy: route.policy,
    deadlineMs: call.deadlineMs,
    ...(call.signal ? { signal: call.signal } : {}),
    hooks: {
      before: hooks.before!,
      async after(candidate, report) {
        upstreamMs += report.latencyMs;
        await hooks.after!(candidate, report);
      },
    },
    attempt: (candidate, _n, signal, ticket) => call.invoke(candidate, ticket, signal),
  });
  let finished = false;
  const { ticket } = result;
  const run: AiRun<T> = {
    value: result.value,
    candidate: result.candidate,
    attempts: result.attempts,
    upstreamMs,
    ...(ticket.budget ? { budget: ticket.budget } : {}),
    async finish(usage, outcome) {
      if (finished) return;
      finished = true;
      const used = usage ?? ZERO_USAGE;
      let books: OpenBooks;
      try {
        // Durable before the caller sends the answer's end: a kill after this point is replayed.
        books = await openBooks(deps, {
          event: {
            at: startedAt,
            providerId: result.candidate.provider.id,
            modelId: result.candidate.modelId,
            apiKeyId: principal.keyId,
            teamId: principal.teamId,
            serviceType: call.usageKind,
            usage: used,
            latencyMs: deps.now() - startedAt,
            outcome,
          },
          reservations: ticket.reservations,
          tokens: used.input_tokens + used.output_tokens,
          providerType: result.candidate.provider.provider_type,
        });
      } catch (error) {
        logger.error('usage not recorded', { error: describeError(error) });
        return;
      }
      if (call.afterResponse) call.afterResponse(books.close);
      else await books.close();
    },
    async cancelled(partial) {
      const reported = partial.usage;
      let counted = 0;
      try {
        counted = await countTextTokens(result.candidate.modelId, partial.text);
      } catch {
        counted = Math.ceil(partial.text.length / 4); // the tokenizer failed to load: ~4 characters a token
      }
      await run.finish(
        {
          ...(reported ?? ZERO_USAGE),
          input_tokens: reported && reported.input_tokens > 0 ? reported.input_tokens : call.inputTokens,
          output_tokens: Math.max(reported?.output_tokens ?? 0, counted),
        },
        'cancelled',
      );
    },
  };
  return run;
}

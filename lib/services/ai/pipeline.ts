import { countTextTokens } from '../../ai/token-count/openai-count.js';
import type { NormalizedUsage, ReportedUsage } from '../../ai/types.js';
import type { Principal } from '../../auth/roles.js';
import { type GatewayError, NotFoundError, ServiceUnavailableError } from '../../errors.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ServiceType } from '../../schemas/providers.js';
import { type CacheHit, type CacheOutcome, type CacheRequest, openCache } from '../cache/session.js';
import type { RequestLogDraft } from '../logs/draft.js';
import type { BudgetView } from '../quotas/remaining.js';
import {
  admitRequest,
  type Candidate,
  executeWithFailover,
  type RateGrant,
  type RequestNeeds,
  refund,
  resolveRoute,
  settleTokens,
} from '../routing/index.js';
import { recordUsage, type UsageOutcome } from '../usage/record.js';
import { type OpenBooks, openBooks } from './books.js';
import { type CallShape, tokenBound } from './bounds.js';
import { type AiTicket, aiHooks, modelFacts } from './gate.js';

/** One AI operation to serve: what to route, and how to call one candidate. */
export interface AiCall<T> {
  deps: Gateway;
  principal: Principal;
  serviceType: ServiceType;
  /** Usage's service type (`llm`, `embedding`, `rerank`, `tts`, `stt`). */
  usageKind: string;
  model: string;
  needs: RequestNeeds;
  /**
   * What the call asks for (`bounds.ts`): strict holds and TPM charges are taken at its bound on
   * the candidate's model, then settled to the usage the provider reports.
   */
  shape: CallShape;
  stream: boolean;
  /** Epoch ms by which an answer must have started (from the function's remaining time). */
  deadlineMs: number;
  signal?: AbortSignal;
  /**
   * Defers closing the books until the response is complete (the handler's `afterResponse`), so
   * the usage write is not on the caller's time. Without it, `finish` does the work before resolving.
   */
  afterResponse?: (task: () => Promise<void>) => void;
  /** The response cache's view of the request, for operations whose answers are cached. */
  cache?: CacheRequest<T>;
  /**
   * The provider bills this call even when its answer reports no usage (a transcription answered
   * as text, srt or vtt): such an answer settles its holds and charges at what they held, as a
   * stream of unknown usage does. Without it, no usage means nothing billable (moderation).
   */
  billedWithoutUsage?: boolean;
  /** The prompt's estimated tokens: what an abandoned stream counts when the provider reported none. */
  inputTokens?: number;
  /** The request-log record to fill (model asked for, attempts, limits, usage), on logged routes. */
  log?: RequestLogDraft | undefined;
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
   * What the response cache did (`x-gateway-cache`), for operations it serves; request records
   * read it too (`write` is set once a miss's answer was stored or skipped, after the response).
   */
  cache?: CacheOutcome;
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
  const { log } = call;
  if (log) {
    log.serviceType = call.usageKind;
    log.modelRequested = call.model;
    log.stream = call.stream;
  }
  const route = await resolveRoute(deps, {
    serviceType: call.serviceType,
    model: call.model,
    needs: call.needs,
    principal,
  });
  // A routing rule may switch payload logging on for what it routes (only an admin can set it).
  if (log && route.rule?.log_payloads === true) log.logPayload = true;
  if (route.candidates.length === 0) throw nothingToRoute(route.skipped);
  // Charged at the bound on the costliest candidate, so any failover stays within the charge.
  const tokens = Math.max(...route.candidates.map((c) => tokenBound(call.shape, modelFacts(c))));
  const admission = await admitRequest(deps, { principal, tokens });
  if (log) log.rateLimit = admission.admitted ? 'passed' : 'refused';
  if (!admission.admitted) throw admission.error;
  const { grants } = admission;
  // After admission (a hit counts toward rate limits as a request) and routing (a hit needs a
  // candidate the caller may use).
  const cache = call.cache
    ? await openCache(deps, {
        principal,
        model: call.model,
        rule: route.rule,
        candidates: route.candidates,
        request: call.cache,
      })
    : undefined;
  if (log && cache) log.cache = cache.outcome.status;
  if (cache?.hit) return hitRun(call, { hit: cache.hit, outcome: cache.outcome, startedAt, grants });
  let upstreamMs = 0;
  let attempted = false;
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
        attempted = true;
        upstreamMs += report.latencyMs;
        log?.attempts.push({
          provider_id: candidate.provider.id,
          model: candidate.modelId,
          status: report.ok ? 200 : (report.failure?.status ?? null),
          latency_ms: Math.round(report.latencyMs * 100) / 100,
          failure: report.ok ? null : (report.failure?.class ?? 'fatal'),
        });
        await hooks.after!(candidate, report);
      },
    },
    attempt: (candidate, _n, signal, ticket) => call.invoke(candidate, ticket, signal),
  }).catch(async (error: unknown) => {
    // Refused everywhere: the admission is given back; failed upstream: its tokens are.
    await releaseAdmission(grants, attempted);
    throw error;
  });
  let finished = false;
  const { ticket } = result;
  const kept = await cache?.keep(result.value, result.candidate);
  if (log) {
    log.provider = { id: result.candidate.provider.id, name: result.candidate.provider.name };
    log.model = result.candidate.modelId;
    log.upstreamMs = upstreamMs;
    // A stream's run resolves at its first chunk: the caller's first byte follows at once.
    if (call.stream) log.ttfbMs = performance.now() - log.receivedAt;
  }
  const run: AiRun<T> = {
    value: kept ? kept.value : result.value,
    candidate: result.candidate,
    attempts: result.attempts,
    upstreamMs,
    ...(ticket.budget ? { budget: ticket.budget } : {}),
    ...(cache ? { cache: cache.outcome } : {}),
    async finish(usage, outcome) {
      if (finished) return;
      finished = true;
      if (log) {
        log.usage = usage;
        if (outcome === 'error') log.streamFailed = true;
      }
      const used = usage ?? ZERO_USAGE;
      const tokensUsed = used.input_tokens + used.output_tokens;
      // A stream whose usage is unknown (broken after its first byte, or a provider that reports
      // none), or a billed answer without usage: the provider may have billed up to the bound, so
      // the holds and token charges stand, settled at once at what they held; strict budgets never
      // count less than was spent.
      const atHold = usage === null && (call.stream || call.billedWithoutUsage === true);
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
          atHold,
          tokens: tokensUsed,
          providerType: result.candidate.provider.provider_type,
        });
      } catch (error) {
        logger.error('usage not recorded', { error: describeError(error) });
        return;
      }
      const close = async () => {
        await books.close();
        if (!atHold) await settleCharges([...grants, ...ticket.routing.grants], tokensUsed);
        // Only a complete, successful answer is stored; after the books, off the caller's time.
        if (outcome === 'success') await kept?.save();
      };
      if (call.afterResponse) call.afterResponse(close);
      else await close();
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
          input_tokens:
            reported && reported.input_tokens > 0 ? reported.input_tokens : (call.inputTokens ?? 0),
          output_tokens: Math.max(reported?.output_tokens ?? 0, counted),
        },
        'cancelled',
      );
    },
  };
  return run;

  async function releaseAdmission(grants: RateGrant[], called: boolean): Promise<void> {
    try {
      await (called ? settleTokens(deps, grants, 0) : refund(deps, grants));
    } catch (error) {
      logger.error('rate-limit charge not released', { error: describeError(error) });
    }
  }

  async function settleCharges(charged: RateGrant[], tokensUsed: number): Promise<void> {
    try {
      await settleTokens(deps, charged, tokensUsed);
    } catch (error) {
      logger.error('rate-limit charge not settled', { error: describeError(error) });
    }
  }
}

/**
 * The run of a request answered from the cache: no upstream call, no quota hold, no credential.
 * Its books record a cache hit on the original provider and model: a request with the answer's
 * tokens and the cost it saved (`cache_hits`, `cache_hit_tokens`, `cost_saved_nanos`), at zero cost,
 * so cost quotas and budgets are untouched. Rate limits already counted it as a request (admission
 * comes first); its token charge is settled to 0, as no provider tokens were spent.
 */
function hitRun<T>(
  call: AiCall<T>,
  input: { hit: CacheHit<T>; outcome: CacheOutcome; startedAt: number; grants: RateGrant[] },
): AiRun<T> {
  const { deps, principal } = call;
  const { hit, startedAt } = input;
  const { log } = call;
  if (log) {
    log.provider = { id: hit.candidate.provider.id, name: hit.candidate.provider.name };
    log.model = hit.candidate.modelId;
    log.upstreamMs = 0;
    if (call.stream) log.ttfbMs = performance.now() - log.receivedAt;
  }
  let finished = false;
  const close = async (latencyMs: number) => {
    try {
      await settleTokens(deps, input.grants, 0);
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
  const run: AiRun<T> = {
    value: hit.value,
    candidate: hit.candidate,
    attempts: 0,
    upstreamMs: 0,
    cache: input.outcome,
    async finish() {
      if (finished) return;
      finished = true;
      if (log) log.usage = hit.answer.usage ?? null;
      const latencyMs = deps.now() - startedAt;
      if (call.afterResponse) call.afterResponse(() => close(latencyMs));
      else await close(latencyMs);
    },
    // A replay the client left early cost nothing either: it is recorded as the hit it was.
    cancelled: () => run.finish(null, 'success'),
  };
  return run;
}

import type { Credential } from '../../adapters/index.js';
import type { Principal } from '../../auth/roles.js';
import { GatewayError, ServiceUnavailableError, TooManyRequestsError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { reportCredentialRejected, resolveProviderSecret } from '../credentials/resolve.js';
import type { RequestLogDraft } from '../logs/draft.js';
import {
  quotaDecision,
  type Reservation,
  reservationAmount,
  reserveAll,
  settleAll,
} from '../quotas/index.js';
import { type BudgetView, tightest, viewsOfReservations } from '../quotas/remaining.js';
import {
  admit,
  type Candidate,
  type FailoverHooks,
  type RoutingTicket,
  routingHooks,
  settleTokens,
} from '../routing/index.js';
import { recordUsage } from '../usage/record.js';
import { type CallShape, callBound, type ModelFacts, tokenBound } from './bounds.js';

/** Requests per minute a quota with `action_on_exceed: throttle` still lets through, per quota. */
export const THROTTLED_RPM = 6;

/** What a passed gate holds for one attempt. */
export interface AiTicket {
  credential: Credential;
  credentialRef?: { credentialId: string; keyVersion: number };
  reservations: Reservation[];
  routing: RoutingTicket;
  /** The tightest cost quota that applies to the attempt, if any (the `x-gateway-budget-*` headers). */
  budget?: BudgetView;
}

export interface GateContext {
  principal: Principal;
  /** The usage service type of the operation (`llm`, `embedding`, `rerank`, `tts`, `stt`). */
  usageKind: string;
  /** What the call asks for: strict holds and TPM charges take its bound on each candidate's model. */
  shape: CallShape;
  startedAt: number;
  /** The request-log record, which notes the quota decision. */
  log?: RequestLogDraft | undefined;
}

/** What a bound needs to know of a candidate's model. */
export const modelFacts = (candidate: Candidate): ModelFacts => ({
  modelId: candidate.modelId,
  maxOutputTokens: candidate.model.max_output_tokens,
});

const NO_CREDENTIAL_TYPES = new Set(['mock', 'bedrock']);

/**
 * The credential to call a candidate's provider with (the function's role for Bedrock and none for
 * the mock when no credential is stored), or `undefined` when it has no usable one.
 */
export async function credentialFor(deps: Gateway, candidate: Candidate) {
  const secret = await resolveProviderSecret(deps, candidate.provider);
  if (secret) {
    const credential: Credential =
      secret.value === undefined ? { type: secret.type } : { type: secret.type, value: secret.value };
    return { credential, ref: { credentialId: secret.credentialId, keyVersion: secret.keyVersion } };
  }
  if (NO_CREDENTIAL_TYPES.has(candidate.provider.provider_type)) {
    return {
      credential: {
        type: candidate.provider.provider_type === 'bedrock' ? 'aws_iam' : 'api_key',
      } as Credential,
    };
  }
  return undefined;
}

/** Quota state of the pair: block and fallback refuse it; throttle admits a few per minute. */
async function quotaGate(deps: Gateway, candidate: Candidate, ctx: GateContext) {
  const decision = await quotaDecision(deps, {
    providerId: candidate.provider.id,
    modelId: candidate.modelId,
    apiKeyId: ctx.principal.keyId,
    teamId: ctx.principal.teamId,
    caller: ctx.principal,
  });
  if (decision.action === 'block' || decision.action === 'fallback') {
    const error = new TooManyRequestsError('A usage quota for this provider is exhausted.', {
      code: 'quota_exceeded',
      ...(decision.retryAfterSeconds ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
      ...(decision.quotaId ? { details: { quota_id: decision.quotaId } } : {}),
    });
    return { refused: error, retryAfterMs: (decision.retryAfterSeconds ?? 0) * 1000 };
  }
  if (decision.action === 'throttle' && decision.quotaId) {
    const scope = { scope: `quota:${decision.quotaId}`, label: 'the quota', rpm: THROTTLED_RPM, tpm: null };
    const admission = await admit(deps, { limits: [scope] });
    if (!admission.admitted)
      return { refused: admission.error, retryAfterMs: admission.retryAfterSeconds * 1000 };
  }
  const throttled = decision.action === 'throttle' && Boolean(decision.quotaId);
  if (decision.strict.length === 0)
    return { reservations: [] as Reservation[], budget: decision.budget, throttled };
  const bound = callBound(ctx.shape, modelFacts(candidate));
  const amount = await reservationAmount(deps, {
    providerId: candidate.provider.id,
    modelId: candidate.modelId,
    atMs: ctx.startedAt,
    inputTokens: bound.inputTokens,
    maxOutputTokens: bound.outputTokens,
    images: bound.images,
    characters: bound.characters,
    audioSeconds: bound.audioSeconds,
  });
  try {
    const reservations = await reserveAll(deps, { quotas: decision.strict, amount });
    return {
      reservations,
      budget: tightest([decision.budget, ...viewsOfReservations(reservations)]),
      throttled,
    };
  } catch (error) {
    if (error instanceof GatewayError && error.statusCode === 429) return { refused: error, retryAfterMs: 0 };
    throw error;
  }
}

/**
 * The hooks around each upstream attempt: quota state and strict holds, the provider's credential,
 * then routing's circuit and rate-limit gate; after it, routing's bookkeeping, an upstream 401
 * marking the credential invalid, an error counted in usage, and the holds and provider token
 * charges of a failed attempt released. The ticket `before` issues travels with the attempt (and the result) for settlement.
 */
export function aiHooks(deps: Gateway, ctx: GateContext): FailoverHooks<Candidate, AiTicket> {
  const routing = routingHooks(deps, { tokens: (c) => tokenBound(ctx.shape, modelFacts(c)) });
  return {
    async before(candidate) {
      const quota = await quotaGate(deps, candidate, ctx);
      if (ctx.log) ctx.log.quota = 'refused' in quota ? 'refused' : quota.throttled ? 'throttled' : 'passed';
      if ('refused' in quota)
        return { allow: false, error: quota.refused as Error, retryAfterMs: quota.retryAfterMs };
      const credential = await credentialFor(deps, candidate);
      const release = () => settleAll(deps, quota.reservations, { costNanos: 0, tokens: 0, requests: 0 });
      if (!credential) {
        await release();
        const error = new ServiceUnavailableError('The provider has no usable credential.', {
          code: 'no_credential',
        });
        return { allow: false, error };
      }
      const gate = await routing.before!(candidate);
      if (!gate.allow) {
        await release();
        return gate;
      }
      const ticket: AiTicket = {
        credential: credential.credential,
        ...(credential.ref ? { credentialRef: credential.ref } : {}),
        reservations: quota.reservations,
        routing: gate.ticket,
        ...(quota.budget ? { budget: quota.budget } : {}),
      };
      return { allow: true, ticket };
    },
    async after(candidate, report) {
      await routing.after!(candidate, { ...report, ticket: report.ticket.routing });
      if (report.ok) return;
      const ref = report.ticket.credentialRef;
      if (report.failure?.status === 401 && ref)
        await reportCredentialRejected(deps, ref.credentialId, ref.keyVersion);
      await settleAll(deps, report.ticket.reservations, { costNanos: 0, tokens: 0, requests: 0 });
      await settleTokens(deps, report.ticket.routing.grants, 0);
      await recordUsage(deps, {
        at: ctx.startedAt,
        providerId: candidate.provider.id,
        modelId: candidate.modelId,
        apiKeyId: ctx.principal.keyId,
        teamId: ctx.principal.teamId,
        serviceType: ctx.usageKind,
        usage: { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 },
        latencyMs: report.latencyMs,
        outcome: 'error',
      });
    },
  };
}

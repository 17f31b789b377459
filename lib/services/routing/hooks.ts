/**
 * The routing hooks of the failover executor: before each attempt, the candidate's circuits (cached;
 * a probe lease when half-open) and the provider's rate limit (one conditional write where a limit
 * is set); after it, circuit bookkeeping (writes only on failures and state changes) and the
 * latency EWMA (in memory; shared at most once per cache TTL).
 */
import { ServiceUnavailableError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { type ProbeLease, passCircuits, recordCircuitOutcome } from './circuit.js';
import type { FailoverHooks, GateResult } from './failover.js';
import { observeLatency } from './latency.js';
import { admitProvider, type RateGrant } from './rate-limit.js';
import type { Candidate } from './resolve.js';

/** What a passed gate holds for the attempt. */
export interface RoutingTicket {
  leases: ProbeLease[];
  grants: RateGrant[];
}

/** Probe lease length when a provider names no timeout, in milliseconds. */
const DEFAULT_LEASE_MS = 30_000;

/** A request's token charge: one figure, or per candidate (its bound on that candidate's model). */
export type TokenCharge = number | ((candidate: Candidate) => number);

async function gate(
  deps: Gateway,
  candidate: Candidate,
  charge: TokenCharge | undefined,
): Promise<GateResult<RoutingTicket>> {
  const timeoutMs = (candidate.provider.timeout_seconds || DEFAULT_LEASE_MS / 1000) * 1000;
  const ids = { providerId: candidate.provider.id, modelId: candidate.modelId };
  const circuit = await passCircuits(deps, { ...ids, leaseMs: timeoutMs + 5_000 });
  if (!circuit.allow) {
    const retryAfterSeconds = Math.max(1, Math.ceil(circuit.retryAfterMs / 1000));
    const error = new ServiceUnavailableError('The provider is failing; its circuit is open.', {
      code: 'circuit_open',
      retryAfterSeconds,
      details: { provider_id: candidate.provider.id },
    });
    return { allow: false, error, retryAfterMs: circuit.retryAfterMs };
  }
  const tokens = typeof charge === 'function' ? charge(candidate) : charge;
  const admission = await admitProvider(deps, { provider: candidate.provider, tokens });
  if (!admission.admitted) {
    await recordCircuitOutcome(deps, { ...ids, leases: circuit.leases, outcome: 'not_attempted' });
    return { allow: false, error: admission.error, retryAfterMs: admission.retryAfterSeconds * 1000 };
  }
  return { allow: true, ticket: { leases: circuit.leases, grants: admission.grants } };
}

/**
 * Hooks for {@link executeWithFailover} over resolved candidates.
 *
 * @param tokens - the request's token charge (a figure, or per candidate), counted against providers'
 *   TPM limits; the grants in the ticket are what to settle once the usage is known.
 * @example
 * const route = await resolveRoute(deps, { serviceType: 'llm', model, needs, principal });
 * const out = await executeWithFailover({ candidates: route.candidates, policy: route.policy,
 *   attempt, deadlineMs, hooks: routingHooks(deps, { tokens }) });
 */
export function routingHooks(
  deps: Gateway,
  options: { tokens?: TokenCharge } = {},
): FailoverHooks<Candidate, RoutingTicket> {
  return {
    before: (candidate) => gate(deps, candidate, options.tokens),
    async after(candidate, report) {
      const ids = { providerId: candidate.provider.id, modelId: candidate.modelId };
      const failed = report.failure?.retryable === true;
      await recordCircuitOutcome(deps, {
        ...ids,
        leases: report.ticket.leases,
        outcome: failed ? 'failed' : 'answered',
        ...(report.failure ? { failure: report.failure } : {}),
      });
      // A fast error says nothing about speed: only answers and timeouts are latency samples.
      if (report.ok || report.failure?.class === 'timeout') {
        await observeLatency(deps, { ...ids, latencyMs: report.latencyMs });
      }
    },
  };
}

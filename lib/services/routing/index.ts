/**
 * The routing API the AI request pipeline calls. In order, per request:
 *
 * 1. `resolveRoute(deps, { serviceType, model, needs, principal })`: ordered candidates,
 *    the matched rule and the failover policy; no candidates → answer from `skipped` (nothing charged).
 * 2. `admitRequest(deps, { principal, tokens })`: the key's, the team's and the gateway's rate
 *    limits (429), tokens at the call's bound on its costliest candidate.
 * 3. `executeWithFailover({ candidates, policy, attempt, deadlineMs,
 *    hooks: routingHooks(deps, { tokens }) })`: retries, failover, circuits, provider rate limits and
 *    latency, around the adapter call `attempt`.
 * 4. `settleTokens(deps, grants, used)`: token charges settled to the usage reported (0 on a
 *    failure); `refund(deps, grants)` when no upstream call was made.
 */
export { type CircuitCheck, checkCircuit, passCircuits, recordCircuitOutcome } from './circuit.js';
export {
  type AttemptFn,
  DeadlineExceededError,
  deadlineFromRemaining,
  executeWithFailover,
  type FailoverHooks,
  type FailoverPolicy,
  type FailoverResult,
} from './failover.js';
export { type ClassifiedFailure, classifyFailure, type UpstreamFailureLike } from './failure.js';
export { type RoutingTicket, routingHooks } from './hooks.js';
export { latencyOf, observeLatency } from './latency.js';
export { recordLatencySample } from './latency-store.js';
export {
  type Admission,
  admit,
  admitProvider,
  admitRequest,
  providerLimits,
  type RateGrant,
  type RateLimitSpec,
  refund,
  requestLimits,
  settleTokens,
} from './rate-limit.js';
export {
  type Candidate,
  failoverPolicy,
  type RequestNeeds,
  type Resolution,
  type ResolveInput,
  resolveRoute,
} from './resolve.js';
export { invalidateRoutingSnapshot, routingSnapshot } from './snapshot.js';

/**
 * The request path's quota API (for the AI pipeline):
 *
 * 1. `quotaDecision(deps, { providerId, modelId, apiKeyId, teamId, caller })` before routing:
 *    `block` → 429 `quota_exceeded` with Retry-After, `throttle` → reduced rate, `fallback` →
 *    another provider, `notify`/`allow` → serve; `budget` is the tightest async cost quota (the
 *    `x-gateway-budget-*` headers). Zero DynamoDB reads between 4-second refreshes.
 * 2. For each quota in `decision.strict`: `reserveBudget(deps, { quota, amount })` before the
 *    upstream call (`amount` from `reservationAmount`), `settleBudget(deps, reservation, actual)`
 *    after it (a failed call settles `{ costNanos: 0, tokens: 0, requests: 1 }`).
 * 3. `recordUsage(deps, event)` once the call is done (one counter write).
 */
export { type BudgetAmount, type Reservation, reserveBudget, settleBudget } from './budget.js';
export {
  type ExpectedImages,
  type HoldQuantities,
  holdAmount,
  reservationAmount,
  reserveAll,
  settleAll,
  settleAtHold,
} from './budget-helpers.js';
export { type QuotaAction, type QuotaDecision, quotaDecision } from './decision.js';

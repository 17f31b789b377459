/**
 * Leases: an instance takes a block of admissions (and, under a token limit, of tokens) for one
 * scope and window with one conditional write, and hands them out from memory; the limit still
 * holds exactly, at the cost of what an instance took and did not use by the window's end
 * (`docs/routing.md`, leases).
 */

import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import { type RateGrant, type RateLimitSpec, tryShard, windowOf } from './rate-window.js';

/** Fraction of a shard's share one lease takes (`docs/routing.md`, leases). */
export const LEASE_FRACTION = 1_000;
/** Most admissions one lease takes. */
export const MAX_LEASE = 100;

/** An instance's block of admissions (and, under a token limit, of tokens) for one scope and window. */
interface Lease {
  minute: string;
  remaining: number;
  /** Tokens left in the block (meaningful when the scope has a token limit). */
  tokens: number;
  /** A block that no longer fits: admit one by one for the rest of this window. */
  exhausted: boolean;
  refilling: Promise<void> | undefined;
}

/** The instance's leases, by rate-limit scope. */
const LEASES = stateSlot<Gateway, Map<string, Lease>>('rate-limit leases', () => new Map());

function leaseOf(deps: Gateway, scope: string, minute: string): Lease {
  const leases = deps.state(LEASES);
  let lease = leases.get(scope);
  if (!lease || lease.minute !== minute) {
    lease = { minute, remaining: 0, tokens: 0, exhausted: false, refilling: undefined };
    leases.set(scope, lease);
  }
  return lease;
}

/** Admissions one lease takes from a shard whose share is `share` (1: no leasing). */
export function leaseSize(share: number, fraction = LEASE_FRACTION): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(share / fraction)));
}

/**
 * Tokens one lease takes from a shard whose token share is `share`: the same fraction as for
 * admissions (a request needing more takes what it needs, if that still fits the share).
 */
export function tokenLeaseSize(share: number, fraction = LEASE_FRACTION): number {
  return Math.max(0, Math.floor(share / fraction));
}

/** What admitting one request under a scope needs: its limits, its tokens, the clock and chance. */
export interface ScopeInput {
  spec: RateLimitSpec;
  tokens: number;
  nowMs: number;
  random: () => number;
  capacity?: number | undefined;
  leaseFraction?: number | undefined;
}

/** What one lease takes: `size` admissions and, under a token limit, `tokenSize` tokens (else 0). */
export interface LeaseInput extends ScopeInput {
  shards: number;
  size: number;
  tokenSize: number;
}

/** Whether a lease can serve one request of `tokens` now. */
const serves = (lease: Lease, input: LeaseInput) =>
  lease.remaining > 0 && (input.spec.tpm === null || lease.tokens >= input.tokens);

/**
 * Takes what a scope's lease lacks with one conditional write on a random shard: `size` more
 * admissions when fewer than half a block are left, and (under a token limit) more tokens when
 * there are not enough for this request or less than half a token block: at least `tokenSize`, and
 * at least this request's. Requests waiting share one refill; a refill that does not fit marks the
 * lease exhausted (admit one by one, exactly, for the rest of the window).
 */
function refill(deps: Gateway, lease: Lease, input: LeaseInput): Promise<void> {
  lease.refilling ??= (async () => {
    const count = lease.remaining < input.size / 2 ? input.size : 0;
    const enough = lease.tokens >= Math.max(input.tokens, input.tokenSize / 2);
    const tokens = input.spec.tpm === null || enough ? 0 : Math.max(input.tokenSize, input.tokens);
    if (count === 0 && tokens === 0) return;
    const ok = await tryShard(deps, {
      spec: input.spec,
      minute: lease.minute,
      endsAt: windowOf(input.nowMs).endsAt,
      shard: Math.floor(input.random() * input.shards),
      shards: input.shards,
      tokens,
      count,
    });
    if (ok) {
      lease.remaining += count;
      lease.tokens += tokens;
    } else lease.exhausted = true;
  })().finally(() => {
    lease.refilling = undefined;
  });
  return lease.refilling;
}

/** One admission from this instance's lease of the scope; false when no lease can serve it. */
export async function admitLeased(deps: Gateway, input: LeaseInput): Promise<boolean> {
  const lease = leaseOf(deps, input.spec.scope, windowOf(input.nowMs).minute);
  if (!serves(lease, input) && !lease.exhausted) await refill(deps, lease, input);
  if (!serves(lease, input)) return false;
  lease.remaining -= 1;
  if (input.spec.tpm !== null) lease.tokens -= input.tokens;
  const low =
    lease.remaining < input.size / 2 || (input.spec.tpm !== null && lease.tokens < input.tokenSize / 2);
  if (low && !lease.exhausted && !lease.refilling) {
    // The next block, taken while this one lasts; a failure only means the next request refills.
    refill(deps, lease, { ...input, tokens: 0 }).catch(() => undefined);
  }
  return true;
}

/** Gives a leased admission (and its tokens) back to this instance's lease, without a write. */
export function returnToLease(deps: Gateway, grant: RateGrant): void {
  const lease = deps.state(LEASES).get(grant.scope);
  if (lease?.minute === grant.minute) {
    lease.remaining += 1;
    lease.tokens += grant.tokens;
  }
}

/**
 * Gives back tokens a leased grant was charged and did not use (its settlement), without a write:
 * the lease took them from the shared window atomically, so they stay admitted to this instance.
 */
export function returnTokensToLease(deps: Gateway, grant: RateGrant, tokens: number): void {
  const lease = deps.state(LEASES).get(grant.scope);
  if (lease?.minute === grant.minute) lease.tokens += tokens;
}

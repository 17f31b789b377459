/**
 * Exact rate limits across any number of instances: requests and tokens per fixed one-minute
 * window, per scope (the gateway, an API key, a provider), admitted by one conditional atomic
 * update of the scope's window item; large limits are sharded, and large request-only limits are
 * leased in blocks. The design, its costs and the measurements are in `docs/routing.md`
 * ("Rate-limit windows and exactness").
 */

import type { Principal } from '../../auth/roles.js';
import type { Config } from '../../config.js';
import { TooManyRequestsError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Provider } from '../../schemas/providers.js';
import { stateSlot } from '../../state-slots.js';
import { keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';

/** Admissions one window item takes per minute before the limit is sharded (~500 writes/s). */
export const SHARD_CAPACITY_PER_MINUTE = 30_000;
/** Tokens per minute one item is assumed to carry (~500 requests/s of ~1,000 tokens). */
const TOKEN_CAPACITY_PER_MINUTE = 30_000_000;
/** Most shards of one scope: bounds the writes a refusal costs. */
export const MAX_SHARDS = 16;
const WINDOW_MS = 60_000;

/** The limits of one scope. `null`: no limit on that dimension. */
export interface RateLimitSpec {
  /** Key part of the window item: `global`, `key:<id>`, `provider:<id>`. */
  scope: string;
  /** Caller-safe name for the error message. */
  label: string;
  rpm: number | null;
  tpm: number | null;
}

/** Fraction of a shard's share one lease takes (`docs/routing.md`, leases). */
export const LEASE_FRACTION = 1_000;
/** Most admissions one lease takes. */
export const MAX_LEASE = 100;

/** An admission held in one shard of one window, or in this instance's lease (what a refund gives back). */
export interface RateGrant {
  scope: string;
  minute: string;
  shard: number;
  tokens: number;
  /** Taken from this instance's lease: a refund returns it there, without a write. */
  leased?: boolean;
}

/** An instance's block of admissions for one scope and window. */
interface Lease {
  minute: string;
  remaining: number;
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
    lease = { minute, remaining: 0, exhausted: false, refilling: undefined };
    leases.set(scope, lease);
  }
  return lease;
}

/** Admissions one lease takes from a shard whose share is `share` (1: no leasing). */
export function leaseSize(share: number, fraction = LEASE_FRACTION): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(share / fraction)));
}

export type Admission =
  | { admitted: true; grants: RateGrant[] }
  | { admitted: false; scope: string; retryAfterSeconds: number; error: TooManyRequestsError };

/** The fixed window containing `nowMs`: its key part and its end (epoch ms). */
export function windowOf(nowMs: number): { minute: string; endsAt: number } {
  const start = Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
  return { minute: new Date(start).toISOString().slice(0, 16), endsAt: start + WINDOW_MS };
}

/** Shards a scope needs so that no window item sees more than one item's capacity. */
export function shardCount(spec: RateLimitSpec, capacity = SHARD_CAPACITY_PER_MINUTE): number {
  const byRequests = spec.rpm ? Math.ceil(spec.rpm / capacity) : 1;
  const byTokens = spec.tpm ? Math.ceil(spec.tpm / TOKEN_CAPACITY_PER_MINUTE) : 1;
  const cap = spec.rpm ? Math.min(MAX_SHARDS, spec.rpm) : MAX_SHARDS;
  return Math.max(1, Math.min(cap, Math.max(byRequests, byTokens)));
}

/** Shard `shard`'s share of `limit` over `shards` shards; the shares sum to `limit` exactly. */
export function shardShare(limit: number, shards: number, shard: number): number {
  return Math.floor(limit / shards) + (shard < limit % shards ? 1 : 0);
}

/** One conditional admission in one shard; false when the shard is full. */
async function tryShard(
  deps: Gateway,
  input: {
    spec: RateLimitSpec;
    minute: string;
    endsAt: number;
    shard: number;
    shards: number;
    tokens: number;
    /** Admissions to take at once (a lease); default 1. */
    count?: number;
  },
): Promise<boolean> {
  const { spec, shard, shards, tokens } = input;
  const count = input.count ?? 1;
  const conditions: string[] = [];
  const values: Record<string, unknown> = {};
  if (spec.rpm !== null) {
    const room = shardShare(spec.rpm, shards, shard) - count;
    if (room < 0) return false;
    conditions.push('(attribute_not_exists(requests) OR requests <= :rroom)');
    values[':rroom'] = room;
  }
  if (spec.tpm !== null) {
    const room = shardShare(spec.tpm, shards, shard) - tokens;
    if (room < 0) return false;
    conditions.push('(attribute_not_exists(tokens) OR tokens <= :tmax)');
    values[':tmax'] = room;
  }
  const outcome = await deps.table.update({
    key: keys.rateWindow(spec.scope, input.minute, shard),
    add: { requests: count, tokens },
    set: { [TABLE_SCHEMA.ttlAttribute]: Math.ceil(input.endsAt / 1000) + 120 },
    ...(conditions.length ? { condition: conditions.join(' AND '), values } : {}),
  });
  return outcome.applied;
}

interface ScopeInput {
  spec: RateLimitSpec;
  tokens: number;
  nowMs: number;
  random: () => number;
  capacity?: number | undefined;
  leaseFraction?: number | undefined;
}

/**
 * Takes the next lease for a scope into `lease`: one conditional write on a random shard. Requests
 * waiting for admissions share one refill; a refill that does not fit marks the lease exhausted.
 */
function refill(
  deps: Gateway,
  lease: Lease,
  input: ScopeInput & { shards: number; size: number },
): Promise<void> {
  lease.refilling ??= (async () => {
    const { endsAt } = windowOf(input.nowMs);
    const shard = Math.floor(input.random() * input.shards);
    const ok = await tryShard(deps, {
      spec: input.spec,
      minute: lease.minute,
      endsAt,
      shard,
      shards: input.shards,
      tokens: 0,
      count: input.size,
    });
    if (ok) lease.remaining += input.size;
    else lease.exhausted = true;
  })().finally(() => {
    lease.refilling = undefined;
  });
  return lease.refilling;
}

/** One admission from this instance's lease of the scope; false when no lease can serve it. */
async function admitLeased(
  deps: Gateway,
  input: ScopeInput & { shards: number; size: number },
): Promise<boolean> {
  const lease = leaseOf(deps, input.spec.scope, windowOf(input.nowMs).minute);
  if (lease.remaining === 0 && !lease.exhausted) await refill(deps, lease, input);
  if (lease.remaining === 0) return false;
  lease.remaining -= 1;
  if (lease.remaining < input.size / 2 && !lease.exhausted && !lease.refilling) {
    // The next block, taken while this one lasts; a failure only means the next request refills.
    refill(deps, lease, input).catch(() => undefined);
  }
  return true;
}

async function admitScope(deps: Gateway, input: ScopeInput): Promise<RateGrant | null> {
  const { minute, endsAt } = windowOf(input.nowMs);
  const shards = shardCount(input.spec, input.capacity);
  if (input.spec.rpm !== null && input.spec.tpm === null) {
    const size = leaseSize(Math.floor(input.spec.rpm / shards), input.leaseFraction);
    if (size > 1 && (await admitLeased(deps, { ...input, shards, size }))) {
      return { scope: input.spec.scope, minute, shard: 0, tokens: input.tokens, leased: true };
    }
  }
  const first = Math.floor(input.random() * shards);
  for (let k = 0; k < shards; k++) {
    const shard = (first + k) % shards;
    const ok = await tryShard(deps, {
      spec: input.spec,
      minute,
      endsAt,
      shard,
      shards,
      tokens: input.tokens,
    });
    if (ok) return { scope: input.spec.scope, minute, shard, tokens: input.tokens };
  }
  return null;
}

/**
 * Admits one request under every limit given, in order (cheapest refusal first: put the scope most
 * likely to refuse first). A refusal refunds the scopes already admitted.
 *
 * @param tokens - the request's token estimate (prompt + max output) counted against TPM limits.
 * @param shardCapacity - admissions per minute per item before sharding (tests lower it).
 * @param leaseFraction - the fraction of a shard's share one lease takes (tests lower it).
 * @returns `admitted` with the grants, or the refusing scope with `Retry-After` seconds and the
 *   429 `rate_limited` error to throw (or fail over to another provider, where the rule allows).
 */
export async function admit(
  deps: Gateway,
  input: {
    limits: readonly RateLimitSpec[];
    tokens?: number | undefined;
    random?: () => number;
    shardCapacity?: number;
    leaseFraction?: number;
  },
): Promise<Admission> {
  const grants: RateGrant[] = [];
  const nowMs = deps.now();
  const tokens = Math.max(0, Math.ceil(input.tokens ?? 0));
  for (const spec of input.limits) {
    if (spec.rpm === null && spec.tpm === null) continue;
    const grant = await admitScope(deps, {
      spec,
      tokens,
      nowMs,
      random: input.random ?? Math.random,
      capacity: input.shardCapacity,
      leaseFraction: input.leaseFraction,
    });
    if (!grant) {
      await refund(deps, grants);
      const retryAfterSeconds = Math.max(1, Math.ceil((windowOf(nowMs).endsAt - nowMs) / 1000));
      const error = new TooManyRequestsError(
        `The rate limit of ${spec.label} is reached; retry after the window.`,
        {
          retryAfterSeconds,
          details: { scope: spec.scope.split(':')[0], retry_after_seconds: retryAfterSeconds },
        },
      );
      return { admitted: false, scope: spec.scope, retryAfterSeconds, error };
    }
    grants.push(grant);
  }
  return { admitted: true, grants };
}

/** Gives admissions back (a later scope refused, or the request never reached an upstream). */
export async function refund(deps: Gateway, grants: readonly RateGrant[]): Promise<void> {
  for (const g of grants) {
    if (g.leased) {
      const lease = deps.state(LEASES).get(g.scope);
      if (lease?.minute === g.minute) lease.remaining += 1;
      continue;
    }
    // Refused: the window item is gone (expired), nothing to give back.
    await deps.table.update({
      key: keys.rateWindow(g.scope, g.minute, g.shard),
      add: { requests: -1, tokens: -g.tokens },
      condition: 'attribute_exists(requests)',
    });
  }
}

/** The request-level limits: the caller's key (`rateLimitRpm`), then the gateway's global limits. */
export function requestLimits(config: Config, principal?: Principal): RateLimitSpec[] {
  const limits: RateLimitSpec[] = [];
  if (principal?.rateLimitRpm) {
    limits.push({
      scope: `key:${principal.keyId}`,
      label: 'this API key',
      rpm: principal.rateLimitRpm,
      tpm: null,
    });
  }
  const rpm = config.GLOBAL_RATE_LIMIT_RPM || null;
  const tpm = config.GLOBAL_RATE_LIMIT_TPM || null;
  if (rpm || tpm) limits.push({ scope: 'global', label: 'the gateway', rpm, tpm });
  return limits;
}

/** A provider's limits (`rate_limit_rpm`, `rate_limit_tpm`), checked per candidate. */
export function providerLimits(
  provider: Pick<Provider, 'id' | 'rate_limit_rpm' | 'rate_limit_tpm'>,
): RateLimitSpec[] {
  if (provider.rate_limit_rpm === null && provider.rate_limit_tpm === null) return [];
  return [
    {
      scope: `provider:${provider.id}`,
      label: 'the provider',
      rpm: provider.rate_limit_rpm,
      tpm: provider.rate_limit_tpm,
    },
  ];
}

/** Admits a request under its key's and the gateway's limits (before routing). */
export function admitRequest(
  deps: Gateway,
  input: { principal?: Principal; tokens?: number },
): Promise<Admission> {
  return admit(deps, { limits: requestLimits(deps.config, input.principal), tokens: input.tokens });
}

/** Admits one attempt on a provider under the provider's limits (per candidate, so it can fail over). */
export function admitProvider(
  deps: Gateway,
  input: { provider: Pick<Provider, 'id' | 'rate_limit_rpm' | 'rate_limit_tpm'>; tokens?: number },
): Promise<Admission> {
  return admit(deps, { limits: providerLimits(input.provider), tokens: input.tokens });
}

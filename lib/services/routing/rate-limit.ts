/**
 * Exact rate limits across any number of instances: requests and tokens per fixed one-minute
 * window, per scope (the gateway, an API key, a team, a provider), admitted by one conditional
 * atomic update of the scope's window item (`rate-window.ts`); large limits are sharded, and large
 * request limits are leased in blocks (`rate-lease.ts`: of admissions, and of tokens where a token
 * limit applies too). The design, its costs and the measurements are in `docs/routing.md`
 * ("Rate-limit windows and exactness").
 */

import type { Principal } from '../../auth/roles.js';
import type { Config } from '../../config.js';
import { TooManyRequestsError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Provider } from '../../schemas/providers.js';
import { keys } from '../../store/keys.js';
import {
  admitLeased,
  leaseSize,
  returnTokensToLease,
  returnToLease,
  type ScopeInput,
  tokenLeaseSize,
} from './rate-lease.js';
import { type RateGrant, type RateLimitSpec, shardCount, tryShard, windowOf } from './rate-window.js';

export { LEASE_FRACTION, leaseSize, MAX_LEASE, tokenLeaseSize } from './rate-lease.js';
export type { RateGrant, RateLimitSpec } from './rate-window.js';
export { MAX_SHARDS, SHARD_CAPACITY_PER_MINUTE, shardCount, shardShare, windowOf } from './rate-window.js';

export type Admission =
  | { admitted: true; grants: RateGrant[] }
  | { admitted: false; scope: string; retryAfterSeconds: number; error: TooManyRequestsError };

async function admitScope(deps: Gateway, input: ScopeInput): Promise<RateGrant | null> {
  const { minute, endsAt } = windowOf(input.nowMs);
  const shards = shardCount(input.spec, input.capacity);
  if (input.spec.rpm !== null) {
    const size = leaseSize(Math.floor(input.spec.rpm / shards), input.leaseFraction);
    // Under a token limit a lease also takes a block of tokens: the same fraction of a shard's share.
    const tokenSize =
      input.spec.tpm === null ? 0 : tokenLeaseSize(Math.floor(input.spec.tpm / shards), input.leaseFraction);
    if (size > 1 && (await admitLeased(deps, { ...input, shards, size, tokenSize }))) {
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
      returnToLease(deps, g);
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

/**
 * Settles the token charges of admitted grants to what the call really used: each grant charged
 * its token bound at admission; the difference (`actual − charged`, usually negative) is added to
 * the same window item with one `ADD` (no condition on the limit: what was used counts, and a
 * refund can only make room), or, for a leased grant, given back to or taken from this instance's
 * lease. Requests stay counted. A failed call settles at 0 tokens. Once per grant list: the caller
 * owns that (the pipeline settles each list once).
 *
 * @param actualTokens - prompt + output tokens the provider reported (0 for a failure).
 */
export async function settleTokens(
  deps: Gateway,
  grants: readonly RateGrant[],
  actualTokens: number,
): Promise<void> {
  const actual = Math.max(0, Math.ceil(actualTokens));
  await Promise.all(
    grants.map(async (g) => {
      const delta = actual - g.tokens;
      if (delta === 0) return;
      if (g.leased && delta < 0) {
        returnTokensToLease(deps, g, -delta);
        return;
      }
      // The window item is gone (expired) or never had this grant: nothing to settle.
      await deps.table.update({
        key: keys.rateWindow(g.scope, g.minute, g.shard),
        add: { tokens: delta },
        condition: 'attribute_exists(requests)',
      });
    }),
  );
}

/**
 * The request-level limits: the caller's key (`rateLimitRpm`, `rateLimitTpm`), its team (`team:<id>`: the sum of
 * the team's keys, `teamRateLimitRpm` / `teamRateLimitTpm`), then the gateway's global limits.
 */
export function requestLimits(config: Config, principal?: Principal): RateLimitSpec[] {
  const limits: RateLimitSpec[] = [];
  if (principal?.rateLimitRpm || principal?.rateLimitTpm) {
    limits.push({
      scope: `key:${principal.keyId}`,
      label: 'this API key',
      rpm: principal.rateLimitRpm ?? null,
      tpm: principal.rateLimitTpm ?? null,
    });
  }
  if (principal?.teamId && (principal.teamRateLimitRpm || principal.teamRateLimitTpm)) {
    limits.push({
      scope: `team:${principal.teamId}`,
      label: 'this team',
      rpm: principal.teamRateLimitRpm ?? null,
      tpm: principal.teamRateLimitTpm ?? null,
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

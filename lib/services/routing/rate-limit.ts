/**
 * Exact rate limits across any number of instances: requests and tokens per fixed one-minute
 * window, per scope (the gateway, an API key, a provider). Admission is one conditional atomic
 * update of the scope's window item — `ADD requests :1, tokens :n` if the counts stay within the
 * limit — so N concurrent requests against an allowance of k admit exactly k, with no read.
 *
 * Sharding: one item carries about 500 writes a second; a limit above
 * {@link SHARD_CAPACITY_PER_MINUTE} is split over several items whose shares sum to the limit
 * exactly. A request tries a random shard first and, when it is full, each other shard in turn, so
 * it is refused only when every shard was full as it was tried: requests are never over-admitted
 * and, since counts only grow within a window, not under-admitted either. The costs: a refusal near
 * the limit costs one write per shard; tokens can be stranded (a request whose token estimate fits
 * the sum of the shards' remainders but no single shard is refused, at most one request's tokens per
 * shard); and a scope refused after an earlier one admitted refunds it, which may briefly refuse
 * someone else (under-, never over-admission).
 *
 * Fixed windows admit up to twice a limit across a window boundary; the window item expires two
 * minutes after its window (TTL), and `Retry-After` is the time to the window's end.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../../auth/roles.js';
import type { Config } from '../../config.js';
import { TooManyRequestsError } from '../../errors.js';
import type { Deps } from '../../runtime/deps.js';
import type { Provider } from '../../schemas/providers.js';
import { isConditionFailed, translateStoreError } from '../../store/errors.js';
import { keys } from '../../store/keys.js';

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

/** An admission held in one shard of one window (what a refund gives back). */
export interface RateGrant {
  scope: string;
  minute: string;
  shard: number;
  tokens: number;
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
  deps: Deps,
  input: {
    spec: RateLimitSpec;
    minute: string;
    endsAt: number;
    shard: number;
    shards: number;
    tokens: number;
  },
): Promise<boolean> {
  const { spec, shard, shards, tokens } = input;
  const conditions: string[] = [];
  const values: Record<string, unknown> = {
    ':one': 1,
    ':n': tokens,
    ':ttl': Math.ceil(input.endsAt / 1000) + 120,
  };
  if (spec.rpm !== null) {
    const share = shardShare(spec.rpm, shards, shard);
    if (share <= 0) return false;
    conditions.push('(attribute_not_exists(#r) OR #r < :rmax)');
    values[':rmax'] = share;
  }
  if (spec.tpm !== null) {
    const room = shardShare(spec.tpm, shards, shard) - tokens;
    if (room < 0) return false;
    conditions.push('(attribute_not_exists(#t) OR #t <= :tmax)');
    values[':tmax'] = room;
  }
  try {
    await deps.table.client.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: keys.rateWindow(spec.scope, input.minute, shard),
        UpdateExpression: 'SET #ttl = :ttl ADD #r :one, #t :n',
        ConditionExpression: conditions.length ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: { '#r': 'requests', '#t': 'tokens', '#ttl': 'ttl' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    return translateStoreError(error);
  }
}

async function admitScope(
  deps: Deps,
  input: { spec: RateLimitSpec; tokens: number; nowMs: number; random: () => number; capacity?: number },
): Promise<RateGrant | null> {
  const { minute, endsAt } = windowOf(input.nowMs);
  const shards = shardCount(input.spec, input.capacity);
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
 * @returns `admitted` with the grants, or the refusing scope with `Retry-After` seconds and the
 *   429 `rate_limited` error to throw (or fail over to another provider, where the rule allows).
 */
export async function admit(
  deps: Deps,
  input: { limits: readonly RateLimitSpec[]; tokens?: number; random?: () => number; shardCapacity?: number },
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
export async function refund(deps: Deps, grants: readonly RateGrant[]): Promise<void> {
  for (const g of grants) {
    await deps.table.client
      .send(
        new UpdateCommand({
          TableName: deps.table.tableName,
          Key: keys.rateWindow(g.scope, g.minute, g.shard),
          UpdateExpression: 'ADD #r :minus, #t :tokens',
          ConditionExpression: 'attribute_exists(#r)',
          ExpressionAttributeNames: { '#r': 'requests', '#t': 'tokens' },
          ExpressionAttributeValues: { ':minus': -1, ':tokens': -g.tokens },
        }),
      )
      .catch((error: unknown) => (isConditionFailed(error) ? undefined : translateStoreError(error)));
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
  deps: Deps,
  input: { principal?: Principal; tokens?: number },
): Promise<Admission> {
  return admit(deps, { limits: requestLimits(deps.config, input.principal), tokens: input.tokens });
}

/** Admits one attempt on a provider under the provider's limits (per candidate, so it can fail over). */
export function admitProvider(
  deps: Deps,
  input: { provider: Pick<Provider, 'id' | 'rate_limit_rpm' | 'rate_limit_tpm'>; tokens?: number },
): Promise<Admission> {
  return admit(deps, { limits: providerLimits(input.provider), tokens: input.tokens });
}

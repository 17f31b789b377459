/**
 * The fixed one-minute windows of the rate limiter and their shards: which window an instant is
 * in, how many shards a limit needs, each shard's share, and the one conditional write that admits
 * into a shard (`docs/routing.md`, "Rate-limit windows and exactness").
 */

import type { Gateway } from '../../runtime/gateway.js';
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
  /** Key part of the window item: `global`, `key:<id>`, `team:<id>`, `provider:<id>`. */
  scope: string;
  /** Caller-safe name for the error message. */
  label: string;
  rpm: number | null;
  tpm: number | null;
}

/** An admission held in one shard of one window, or in this instance's lease (what a refund gives back). */
export interface RateGrant {
  scope: string;
  minute: string;
  shard: number;
  tokens: number;
  /** Taken from this instance's lease: a refund returns it there, without a write. */
  leased?: boolean;
}

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
export async function tryShard(
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

/**
 * Latency for least_latency rules, without adding writes to each request: every instance keeps an
 * in-memory EWMA per provider+model from the attempts it makes (0 writes), and shares it through
 * one table item routinely once per {@link ROUTINE_SHARE_TTLS} × `ROUTING_CACHE_TTL` (at least 10 s)
 * per pair, or at once (but at most once a second) when its figure moved by more than half and
 * 25 ms. The routine share only refreshes a figure that has not moved, so it can be rare: with one
 * share per TTL, 40,000 warm containers (10,000 req/s) put 667 writes a second on the provider's
 * partition; with five, 133 (docs/scale.md). A reader uses whichever
 * is newer: its own figure or the shared one it loaded with the routing snapshot; with neither, the
 * health checker's per-provider EWMA (`HEALTH_STATE`), and the checker may also feed the per-model
 * item through `recordLatencySample`. So the instance that sees a provider slow down moves off it on
 * the next request, and every other instance within one cache TTL of that write.
 */
import type { Gateway } from '../../runtime/gateway.js';
import { ewma, writeLatency } from './latency-store.js';
import type { Snapshot } from './state.js';
import { pairKey, routingState } from './state.js';

/** Relative change of the EWMA that is shared at once instead of waiting for the TTL... */
const SIGNIFICANT_CHANGE = 0.5;
/** ...if it is also at least this many milliseconds (jitter of fast upstreams is not news). */
const SIGNIFICANT_CHANGE_MS = 25;
/** Shortest interval between two shares of one pair by one instance, in milliseconds. */
const MIN_SHARE_INTERVAL_MS = 1_000;
/** Shortest period of the routine share (with a cache TTL of 0 the figure is not written per request). */
const MIN_PERIODIC_SHARE_MS = 10_000;
/** Routing cache TTLs between two routine shares of an unchanged figure by one instance. */
export const ROUTINE_SHARE_TTLS = 5;

/**
 * Records one latency sample of this instance (time to the upstream's answer, or to the first
 * byte of a stream) and shares the figure when due (see the module comment).
 */
export async function observeLatency(
  deps: Gateway,
  input: { providerId: string; modelId: string; latencyMs: number },
): Promise<void> {
  const state = routingState(deps);
  const key = pairKey(input.providerId, input.modelId);
  const now = deps.now();
  const local = state.latency.get(key) ?? {
    ewmaMs: input.latencyMs,
    samples: 0,
    lastAt: now,
    flushedMs: null,
    flushedAt: 0,
    unflushed: 0,
  };
  local.ewmaMs = local.samples === 0 ? ewma(undefined, input.latencyMs) : ewma(local.ewmaMs, input.latencyMs);
  local.samples += 1;
  local.unflushed += 1;
  local.lastAt = now;
  state.latency.set(key, local);
  const sinceShare = now - local.flushedAt;
  const change =
    local.flushedMs === null ? Number.POSITIVE_INFINITY : Math.abs(local.ewmaMs - local.flushedMs);
  const moved = change > SIGNIFICANT_CHANGE_MS && change > SIGNIFICANT_CHANGE * (local.flushedMs ?? 0);
  const due =
    sinceShare >=
      Math.max(ROUTINE_SHARE_TTLS * deps.config.ROUTING_CACHE_TTL * 1000, MIN_PERIODIC_SHARE_MS) ||
    (moved && sinceShare >= MIN_SHARE_INTERVAL_MS);
  if (!due) return;
  local.flushedMs = local.ewmaMs;
  local.flushedAt = now;
  const samples = local.unflushed;
  local.unflushed = 0;
  await writeLatency(deps, { ...input, ewmaMs: local.ewmaMs, samples });
}

/**
 * The latency figure to rank a provider+model by, in milliseconds: this instance's own EWMA or the
 * shared one, whichever was updated last; else the health checker's figure for the provider;
 * `undefined` when none exists (never measured).
 */
export function latencyOf(
  deps: Gateway,
  snapshot: Snapshot,
  input: { providerId: string; modelId: string },
): number | undefined {
  const key = pairKey(input.providerId, input.modelId);
  const local = routingState(deps).latency.get(key);
  const shared = snapshot.latencies.get(key);
  if (local && (!shared || local.lastAt >= shared.updatedAt)) return local.ewmaMs;
  return shared?.ewmaMs ?? snapshot.healthLatencies.get(input.providerId);
}

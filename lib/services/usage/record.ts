import { randomUUID } from 'node:crypto';
import type { Gateway } from '../../runtime/gateway.js';
import type { DurableRecord } from '../durable/log.js';
import { costOf, type UsageQuantities } from './cost.js';
import { type Counters, zeroCounters } from './counters.js';
import { enqueueCounters } from './group-commit.js';
import { pricingAt } from './pricing-cache.js';
import { hourOf, MS } from './time.js';
import { secondsToMs } from './units.js';

/** Hourly counters are kept this long after their hour; the rollups keep the history. */
export const HOURLY_COUNTER_RETENTION_DAYS = 35;

/** How a call ended, for usage. */
export type UsageOutcome = 'success' | 'error' | 'cancelled';

/** One AI call, as the request pipeline saw it. */
export interface UsageEvent {
  /** When the call started (epoch ms): selects the hour bucket and the price in force. */
  at: number;
  providerId: string;
  modelId: string;
  apiKeyId: string;
  /** The calling key's team, if it has one: the team's usage is the sum of its keys'. */
  teamId?: string | undefined;
  /** `llm`, `embedding`, `tts`, ... (the route's service type). */
  serviceType: string;
  /** What the upstream reported (a stream: its final chunk's usage). Ignored for errors. */
  usage: UsageQuantities & { reasoning_tokens?: number | undefined };
  /** Wall time of the call in milliseconds. */
  latencyMs: number;
  /**
   * A failed upstream call counts as a request and an error, never as tokens or cost. A stream
   * the client abandoned (`cancelled`) counts as a request and a cancellation, with the tokens
   * produced until then, at the model's price.
   */
  outcome: UsageOutcome;
  /**
   * Answered from the response cache: counted as a request and a cache hit with its tokens and the
   * cost it saved, at zero cost (cost quotas and budgets see nothing).
   */
  cacheHit?: boolean;
}

/** What {@link recordUsage} wrote. */
export interface RecordedUsage {
  costNanos: number;
  hour: string;
  shard: number;
}

/** Model ids as the catalog allows them; provider and key ids are narrower (no `:`, used by scope keys). */
const MODEL_ID = /^[A-Za-z0-9._:/@+-]{1,200}$/;
const ID = /^[A-Za-z0-9_.-]{1,64}$/;
const SERVICE_TYPE = /^[a-z_]{1,32}$/;

function checkEvent(event: UsageEvent): void {
  for (const [name, value, pattern] of [
    ['providerId', event.providerId, ID],
    ['modelId', event.modelId, MODEL_ID],
    ['apiKeyId', event.apiKeyId, ID],
    ['teamId', event.teamId ?? 'none', ID],
  ] as const) {
    if (!pattern.test(value)) throw new RangeError(`usage event: invalid ${name}`);
  }
  if (!SERVICE_TYPE.test(event.serviceType)) throw new RangeError('usage event: invalid serviceType');
  if (!Number.isFinite(event.at) || !Number.isFinite(event.latencyMs) || event.latencyMs < 0) {
    throw new RangeError('usage event: invalid at or latencyMs');
  }
}

/** The amounts one call adds to its counter. */
export async function countersOf(deps: Gateway, event: UsageEvent): Promise<Counters> {
  const add = zeroCounters();
  add.requests = 1;
  add.latency_ms_sum = Math.round(event.latencyMs);
  if (event.outcome === 'error') {
    add.errors = 1;
    return add;
  }
  if (event.outcome === 'cancelled') add.cancelled = 1;
  const u = event.usage;
  const extra = [
    u.cache_write_tokens ?? 0,
    u.cache_write_1h_tokens ?? 0,
    u.reasoning_tokens ?? 0,
    u.images ?? 0,
  ];
  for (const n of [u.input_tokens, u.output_tokens, u.cached_input_tokens, u.characters ?? 0, ...extra]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('usage event: token counts are integers ≥ 0');
  }
  const pricing = await pricingAt(deps, {
    providerId: event.providerId,
    modelId: event.modelId,
    atMs: event.at,
  });
  const cost = costOf(pricing, u);
  if (event.cacheHit) {
    add.cache_hits = 1;
    add.cache_hit_tokens = u.input_tokens + u.output_tokens;
    add.cost_saved_nanos = cost.nanos;
    return add;
  }
  add.input_tokens = u.input_tokens;
  add.output_tokens = u.output_tokens;
  add.cached_input_tokens = u.cached_input_tokens;
  add.cache_write_tokens = u.cache_write_tokens ?? 0;
  add.reasoning_tokens = u.reasoning_tokens ?? 0;
  add.audio_ms = secondsToMs(u.audio_seconds ?? 0);
  add.characters = u.characters ?? 0;
  add.images = u.images ?? 0;
  add.cost_nanos = cost.nanos;
  add.unpriced_requests = cost.unpriced.length > 0 ? 1 : 0;
  return add;
}

const ttlOf = (at: number) => Math.floor(at / 1000) + 3600 + HOURLY_COUNTER_RETENTION_DAYS * (MS.DAY / 1000);

/** A call's usage, counted and made durable, on its way to its counter. */
export interface StagedUsage {
  costNanos: number;
  hour: string;
  /** Settles once the amounts are stored (or parked for replay): the shard written. */
  written: Promise<number>;
}

/**
 * Counts one call and makes it durable before anything is promised: its amounts (priced at the
 * catalog price in force at `event.at`) are appended to the instance's durable log together with
 * the records `alongside` makes of its cost (a strict-quota settlement), in one group-synced journal write locally (nothing to
 * wait for in AWS), then handed to the group commit. Call it before the answer's last byte goes out;
 * await `written` after.
 *
 * @throws RangeError for a malformed event (a caller bug); the journal's write error locally.
 */
export async function stageUsage(
  deps: Gateway,
  event: UsageEvent,
  alongside: (costNanos: number) => readonly DurableRecord[] = () => [],
): Promise<StagedUsage> {
  checkEvent(event);
  const add = await countersOf(deps, event);
  // Read now: the group commit sums later calls into the first call's amounts.
  const costNanos = add.cost_nanos;
  const extra = alongside(costNanos);
  const hour = hourOf(event.at);
  const group = {
    providerId: event.providerId,
    modelId: event.modelId,
    apiKeyId: event.apiKeyId,
    ...(event.teamId ? { teamId: event.teamId } : {}),
    serviceType: event.serviceType,
    hour,
  };
  const ttl = ttlOf(event.at);
  const eventId = deps.durable.journaled ? `u.${randomUUID()}` : undefined;
  // Queued at once, so calls ending together share a write; the journal record may land before or
  // after the batch's own record (which names this call): replay covers it either way.
  const written = enqueueCounters(deps, { group, add, ttl, eventId });
  written.catch(() => undefined); // the caller awaits it (or the books log it) after the append
  const records = eventId ? [{ kind: 'usage.event' as const, id: eventId, body: { group, add, ttl } }] : [];
  if (records.length + extra.length > 0) await deps.durable.append([...records, ...extra]);
  return { costNanos, hour, written };
}

/**
 * Records one AI call on its hourly counter: an atomic `ADD` of requests, errors, tokens, audio,
 * characters, cost (integer nano-USD at the catalog price in force at `event.at`) and latency on
 * the counter of provider × model × API key (and its team) × service type, on a random one of
 * `USAGE_COUNTER_SHARDS` shards. Daily and monthly figures are rolled up from the counter's change
 * stream, never written here. The price comes from a cache (no read in steady state).
 *
 * Group commit: at most one write per counter group is in flight per instance; calls recorded
 * while it is in flight are summed and written together by the next one. A lone call is written at
 * once (one `UpdateItem`); under concurrency the writes per call fall below one. Every caller's
 * promise settles only once its own amounts are stored (or parked), so nothing is acknowledged
 * before it is durable. Each write carries its batch's id in its condition, so a retry after an
 * ambiguous failure counts once (see `writeCounterBatch`).
 *
 * Failure modes: a write that fails after the client's bounded retries is parked (the journal
 * locally, the park queue in AWS) and replayed; with nowhere to park it, the call rejects with the
 * table's error (a 503 `storage_throttled` when throttled). A malformed event throws RangeError.
 */
export async function recordUsage(deps: Gateway, event: UsageEvent): Promise<RecordedUsage> {
  const staged = await stageUsage(deps, event);
  const shard = await staged.written;
  return { costNanos: staged.costNanos, hour: staged.hour, shard };
}

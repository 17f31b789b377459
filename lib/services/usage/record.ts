import { randomInt } from 'node:crypto';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import { keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { costOf, type UsageQuantities } from './cost.js';
import { addCounters, type Counters, zeroCounters } from './counters.js';
import { pricingAt } from './pricing-cache.js';
import { hourOf, MS } from './time.js';
import { secondsToMs } from './units.js';

/** Hourly counters are kept this long after their hour; the rollups keep the history. */
export const HOURLY_COUNTER_RETENTION_DAYS = 35;

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
  /** A failed upstream call counts as a request and an error, never as tokens or cost. */
  outcome: 'success' | 'error';
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

/** Calls of one counter waiting to be written together, and the write's outcome. */
interface Batch {
  event: UsageEvent;
  hour: string;
  add: Counters;
  ttl: number;
  shard: number;
  written: Promise<void>;
  settle(error?: unknown): void;
}

/** A counter group (provider × model × key × service × hour): its write in flight and the next batch. */
interface Group {
  writing: boolean;
  next: Batch | undefined;
}

/** The instance's counter groups, and the drains writing them (awaited when the instance closes). */
interface UsageGroups {
  groups: Map<string, Group>;
  draining: Set<Promise<void>>;
}

const USAGE_GROUPS = stateSlot<Gateway, UsageGroups>(
  'usage groups',
  () => ({ groups: new Map(), draining: new Set() }),
  async (held) => {
    while (held.draining.size > 0) await Promise.allSettled([...held.draining]);
  },
);

function newBatch(deps: Gateway, event: UsageEvent, hour: string, add: Counters): Batch {
  let settle!: (error?: unknown) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  return {
    event,
    hour,
    add,
    ttl: ttlOf(event.at),
    shard: randomInt(deps.config.USAGE_COUNTER_SHARDS),
    written,
    settle,
  };
}

const ttlOf = (at: number) => Math.floor(at / 1000) + 3600 + HOURLY_COUNTER_RETENTION_DAYS * (MS.DAY / 1000);

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
 * promise settles only once its own amounts are stored (or their write failed), so nothing is
 * acknowledged before it is durable.
 *
 * Failure modes: a throttled or unavailable table surfaces as a 503 `storage_throttled` after the
 * client's bounded retries (nothing was added, for every call of that batch); a malformed event
 * throws RangeError (a caller bug). `ADD` is not idempotent: a retry after an ambiguous network
 * failure can count a batch twice.
 */
export async function recordUsage(deps: Gateway, event: UsageEvent): Promise<RecordedUsage> {
  checkEvent(event);
  const add = await countersOf(deps, event);
  // Read now: a batch started by this call sums later calls into `add`.
  const costNanos = add.cost_nanos;
  const hour = hourOf(event.at);
  const held = deps.state(USAGE_GROUPS);
  const { groups } = held;
  const name = `${event.providerId}\u0000${event.modelId}\u0000${event.apiKeyId}\u0000${event.teamId ?? ''}\u0000${event.serviceType}\u0000${hour}`;
  let group = groups.get(name);
  if (!group) {
    group = { writing: false, next: undefined };
    groups.set(name, group);
  }
  let batch = group.next;
  if (batch) {
    addCounters(batch.add, add);
    batch.ttl = Math.max(batch.ttl, ttlOf(event.at));
  } else {
    batch = newBatch(deps, event, hour, add);
    group.next = batch;
  }
  if (!group.writing) {
    const draining = drain(deps, groups, name, group);
    held.draining.add(draining);
    void draining.finally(() => held.draining.delete(draining));
  }
  await batch.written;
  return { costNanos, hour, shard: batch.shard };
}

/** Writes a group's batches one after the other until none is waiting. */
async function drain(deps: Gateway, groups: Map<string, Group>, name: string, group: Group): Promise<void> {
  group.writing = true;
  try {
    for (let batch = group.next; batch; batch = group.next) {
      group.next = undefined;
      try {
        await writeBatch(deps, batch);
        batch.settle();
      } catch (error) {
        batch.settle(error);
      }
    }
  } finally {
    group.writing = false;
    groups.delete(name);
  }
}

async function writeBatch(deps: Gateway, batch: Batch): Promise<void> {
  const { event, hour, shard, add } = batch;
  const key = keys.usageCounter({
    providerId: event.providerId,
    granularity: 'H',
    bucket: hour,
    dimensions: keys.usageDimensions(event),
    shard,
  });
  await deps.table.update({
    key,
    add,
    set: {
      entity: 'usage_hour',
      provider_id: event.providerId,
      model_id: event.modelId,
      api_key_id: event.apiKeyId,
      ...(event.teamId ? { team_id: event.teamId } : {}),
      service_type: event.serviceType,
      hour,
      shard,
      [TABLE_SCHEMA.ttlAttribute]: batch.ttl,
    },
  });
}

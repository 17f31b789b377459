import { randomInt } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../runtime/deps.js';
import { translateStoreError } from '../../store/errors.js';
import { keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { costOf, type UsageQuantities } from './cost.js';
import { COUNTER_FIELDS, type Counters, zeroCounters } from './counters.js';
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
  /** `llm`, `embedding`, `tts`, ... (the route's service type). */
  serviceType: string;
  /** What the upstream reported (a stream: its final chunk's usage). Ignored for errors. */
  usage: UsageQuantities;
  /** Wall time of the call in milliseconds. */
  latencyMs: number;
  /** A failed upstream call counts as a request and an error, never as tokens or cost. */
  outcome: 'success' | 'error';
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
  ] as const) {
    if (!pattern.test(value)) throw new RangeError(`usage event: invalid ${name}`);
  }
  if (!SERVICE_TYPE.test(event.serviceType)) throw new RangeError('usage event: invalid serviceType');
  if (!Number.isFinite(event.at) || !Number.isFinite(event.latencyMs) || event.latencyMs < 0) {
    throw new RangeError('usage event: invalid at or latencyMs');
  }
}

/** The amounts one call adds to its counter. */
export async function countersOf(deps: Deps, event: UsageEvent): Promise<Counters> {
  const add = zeroCounters();
  add.requests = 1;
  add.latency_ms_sum = Math.round(event.latencyMs);
  if (event.outcome === 'error') {
    add.errors = 1;
    return add;
  }
  const u = event.usage;
  for (const n of [u.input_tokens, u.output_tokens, u.cached_input_tokens, u.characters ?? 0]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('usage event: token counts are integers ≥ 0');
  }
  const pricing = await pricingAt(deps, {
    providerId: event.providerId,
    modelId: event.modelId,
    atMs: event.at,
  });
  const cost = costOf(pricing, u);
  add.input_tokens = u.input_tokens;
  add.output_tokens = u.output_tokens;
  add.cached_input_tokens = u.cached_input_tokens;
  add.audio_ms = secondsToMs(u.audio_seconds ?? 0);
  add.characters = u.characters ?? 0;
  add.cost_nanos = cost.nanos;
  add.unpriced_requests = cost.unpriced.length > 0 ? 1 : 0;
  return add;
}

/**
 * Records one AI call with ONE `UpdateItem`: atomic `ADD` of requests, errors, tokens, audio,
 * characters, cost (integer nano-USD at the catalog price in force at `event.at`) and latency on
 * the hourly counter of provider × model × API key × service type, on a random one of
 * `USAGE_COUNTER_SHARDS` shards. Daily and monthly figures are rolled up from the counter's change
 * stream, never written here. The price comes from a cache (no read in steady state).
 *
 * Failure modes: a throttled or unavailable table surfaces as a 503 `storage_throttled` after the
 * SDK's bounded retries (nothing was added); a malformed event throws RangeError (a caller bug).
 * `ADD` is not idempotent: an SDK retry after an ambiguous network failure can count a call twice.
 */
export async function recordUsage(deps: Deps, event: UsageEvent): Promise<RecordedUsage> {
  checkEvent(event);
  const add = await countersOf(deps, event);
  const hour = hourOf(event.at);
  const shard = randomInt(deps.config.USAGE_COUNTER_SHARDS);
  const key = keys.usageCounter({
    providerId: event.providerId,
    granularity: 'H',
    bucket: hour,
    dimensions: keys.usageDimensions(event),
    shard,
  });
  const names: Record<string, string> = { '#ttl': TABLE_SCHEMA.ttlAttribute };
  const values: Record<string, unknown> = {
    ':entity': 'usage_hour',
    ':pid': event.providerId,
    ':mid': event.modelId,
    ':kid': event.apiKeyId,
    ':svc': event.serviceType,
    ':hour': hour,
    ':shard': shard,
    ':ttl': Math.floor(event.at / 1000) + 3600 + HOURLY_COUNTER_RETENTION_DAYS * (MS.DAY / 1000),
  };
  const adds = COUNTER_FIELDS.map((f, i) => {
    names[`#c${i}`] = f;
    values[`:c${i}`] = add[f];
    return `#c${i} :c${i}`;
  });
  await deps.table.client
    .send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: key,
        UpdateExpression: `ADD ${adds.join(', ')} SET entity = :entity, provider_id = :pid, model_id = :mid, api_key_id = :kid, service_type = :svc, #hour = :hour, #shard = :shard, #ttl = :ttl`,
        ExpressionAttributeNames: { ...names, '#hour': 'hour', '#shard': 'shard' },
        ExpressionAttributeValues: values,
      }),
    )
    .catch(translateStoreError);
  return { costNanos: add.cost_nanos, hour, shard };
}

import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import type { Counters } from './counters.js';

/** The dimensions of one hourly counter group (provider × model × key × team × service × hour). */
export interface CounterGroup {
  providerId: string;
  modelId: string;
  apiKeyId: string;
  teamId?: string | undefined;
  serviceType: string;
  /** `yyyy-mm-ddThh` (UTC) */
  hour: string;
}

/**
 * One write of a counter: the summed amounts of the calls it carries, and its identity. The
 * identity is the writer (one per gateway instance, renewed when one of its batches is parked)
 * and the writer's sequence number, increasing with every batch the writer sends. Plain data: it
 * is journaled and parked as JSON.
 */
export interface CounterBatch extends CounterGroup {
  writer: string;
  seq: number;
  shard: number;
  /**
   * Keyed by usage shard (`USAGE#<pid>#<shard>`). A batch journaled or parked by an earlier version
   * lacks it and is replayed onto the unsharded item it was meant for, so it still counts once.
   */
  sharded?: boolean;
  add: Counters;
  /** TTL of the counter item (epoch seconds). */
  ttl: number;
  /** Ids of the usage events the batch carries (journal bookkeeping; empty in AWS). */
  events: string[];
}

/** The attribute of a counter item holding a writer's last applied sequence number. */
export const writerAttribute = (writer: string) => `w_${writer}`;

/** The batch's id in the durable log. */
export const batchId = (batch: Pick<CounterBatch, 'writer' | 'seq'>) => `${batch.writer}.${batch.seq}`;

/**
 * Adds a batch to its hourly counter, exactly once: the write sets the writer's attribute
 * (`w_<writer>`) to the batch's sequence number, on condition that it holds a smaller one. A
 * retry after an ambiguous failure (the write landed, its answer was lost: the SDK retries, or a
 * replay from the journal or the park queue) finds the number already there and changes nothing.
 *
 * Why a per-writer high-water mark holds: a writer sends at most one batch per counter group at a
 * time, in increasing sequence, and renews its id as soon as one of its batches is parked, so no
 * batch of the same writer can land on the item after a batch that is still to be replayed.
 *
 * @returns `applied`, or `duplicate` when the batch (or a later one of the writer) was already there.
 * @throws the table's errors (throttling: `storage_throttled` after the SDK's 3 attempts).
 */
export async function writeCounterBatch(
  deps: Gateway,
  batch: CounterBatch,
): Promise<'applied' | 'duplicate'> {
  const key = keys.usageCounter({
    providerId: batch.providerId,
    granularity: 'H',
    bucket: batch.hour,
    dimensions: keys.usageDimensions(batch),
    shard: batch.shard,
    legacy: !batch.sharded,
  });
  const outcome = await deps.table.update({
    key,
    add: batch.add,
    set: {
      entity: 'usage_hour',
      provider_id: batch.providerId,
      model_id: batch.modelId,
      api_key_id: batch.apiKeyId,
      ...(batch.teamId ? { team_id: batch.teamId } : {}),
      service_type: batch.serviceType,
      hour: batch.hour,
      shard: batch.shard,
      [TABLE_SCHEMA.ttlAttribute]: batch.ttl,
      [writerAttribute(batch.writer)]: batch.seq,
    },
    condition: 'attribute_not_exists(#w) OR #w < :seq',
    names: { '#w': writerAttribute(batch.writer) },
    values: { ':seq': batch.seq },
  });
  return outcome.applied ? 'applied' : 'duplicate';
}

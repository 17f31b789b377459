import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { itemKindOf } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type SettlementBody, settleRecorded } from '../ai/books.js';
import { batchId, type CounterBatch, type CounterGroup, writeCounterBatch } from '../usage/counter-batch.js';
import type { Counters } from '../usage/counters.js';
import { enqueueCounters } from '../usage/group-commit.js';
import { DURABLE_KINDS, type DurableRecord } from './log.js';

/** What a replay did. */
export interface ReplaySummary {
  /** Counter batches written now, and those found already applied (their write had landed). */
  batches: number;
  duplicates: number;
  /** Usage events that never reached a batch, counted now. */
  events: number;
  settlements: number;
  /** Request-log records whose write had failed, written now. */
  logs: number;
  /** Records that failed again (they stay for the next replay). */
  failed: number;
}

/** Thrown for a record that is not one of {@link DURABLE_KINDS} or lacks its fields (a poison message). */
export class InvalidDurableRecordError extends Error {
  override name = 'InvalidDurableRecordError';
}

/** Reads a record from its JSON (the park queue's message body). @throws InvalidDurableRecordError */
export function parseDurableRecord(text: string): DurableRecord {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    throw new InvalidDurableRecordError('not JSON');
  }
  const r = record as Partial<DurableRecord>;
  if (
    typeof r !== 'object' ||
    r === null ||
    !DURABLE_KINDS.includes(r.kind as DurableRecord['kind']) ||
    typeof r.id !== 'string' ||
    typeof r.body !== 'object' ||
    r.body === null
  ) {
    throw new InvalidDurableRecordError('not a durable record');
  }
  return r as DurableRecord;
}

/**
 * Applies one parked record (the park-replay function's unit of work), idempotently: a counter
 * batch through its writer's high-water mark, a settlement by removing each hold once, a request's
 * log items by putting them again (only items of request-log partitions: a forged message cannot
 * write anything else).
 *
 * @returns `duplicate` when the batch had already landed.
 * @throws the table's errors (the consumer reports the message failed; SQS redelivers it).
 */
export async function applyParked(deps: Gateway, record: DurableRecord): Promise<'applied' | 'duplicate'> {
  switch (record.kind) {
    case 'usage.batch':
      return writeCounterBatch(deps, record.body as unknown as CounterBatch);
    case 'quota.settle': {
      const failed = await settleRecorded(deps, record.body as SettlementBody);
      if (failed.length > 0) throw new Error(`${failed.length} hold(s) not settled`);
      return 'applied';
    }
    case 'usage.event': {
      const body = record.body as { group: CounterGroup; add: Counters; ttl: number };
      await enqueueCounters(deps, body);
      return 'applied';
    }
    case 'request.log':
      await writeLogItems(deps, record);
      return 'applied';
  }
}

/** A parked request's log items, put as they are (a second put of the same items changes nothing). */
async function writeLogItems(deps: Gateway, record: DurableRecord): Promise<void> {
  const items = (record.body as { items?: unknown }).items;
  if (!Array.isArray(items) || items.length === 0 || !items.every(isLogItem)) {
    throw new InvalidDurableRecordError('not request-log items');
  }
  await deps.table.batchWrite(items.map((put) => ({ put })));
}

/** Only request-log items (`LOG#…` partitions) may be written from a parked record. */
const isLogItem = (item: unknown): item is Item =>
  typeof item === 'object' &&
  item !== null &&
  typeof (item as Item).pk === 'string' &&
  itemKindOf((item as Item).pk) === 'requestLog' &&
  typeof (item as Item).sk === 'string';

/**
 * Replays what a killed local runtime left in its journal, before new traffic is counted on top:
 * journaled counter batches in their writer's order (each applied once: one whose write had
 * landed is refused by its condition), then the usage events no batch carried (counted now, as new
 * batches), then strict-quota settlements (each hold removed once), then request-log records whose
 * write had failed (put again). Every record applied is
 * acknowledged; a record that fails again stays for the next start.
 */
export async function replayJournal(
  deps: Gateway,
  records: readonly DurableRecord[],
): Promise<ReplaySummary> {
  const summary: ReplaySummary = { batches: 0, duplicates: 0, events: 0, settlements: 0, logs: 0, failed: 0 };
  const batches = records
    .filter((r) => r.kind === 'usage.batch')
    .map((r) => r.body as unknown as CounterBatch)
    .sort((a, b) => (a.writer === b.writer ? a.seq - b.seq : a.writer < b.writer ? -1 : 1));
  const carried = new Set(batches.flatMap((b) => b.events));
  for (const batch of batches) {
    try {
      const outcome = await writeCounterBatch(deps, batch);
      summary[outcome === 'applied' ? 'batches' : 'duplicates'] += 1;
      deps.durable.ack([batchId(batch), ...batch.events]);
    } catch (error) {
      summary.failed += 1;
      logger.error('journal replay: batch not written', { id: batchId(batch), error: describeError(error) });
    }
  }
  const loose = records.filter((r) => r.kind === 'usage.event' && !carried.has(r.id));
  await Promise.all(
    loose.map(async (r) => {
      const body = r.body as { group: CounterGroup; add: Counters; ttl: number };
      try {
        await enqueueCounters(deps, { ...body, eventId: r.id });
        summary.events += 1;
      } catch (error) {
        summary.failed += 1;
        logger.error('journal replay: usage not written', { id: r.id, error: describeError(error) });
      }
    }),
  );
  for (const r of records.filter((x) => x.kind === 'quota.settle')) {
    const failed = await settleRecorded(deps, r.body as SettlementBody);
    if (failed.length > 0) summary.failed += 1;
    else {
      summary.settlements += 1;
      deps.durable.ack([r.id]);
    }
  }
  for (const r of records.filter((x) => x.kind === 'request.log')) {
    try {
      await writeLogItems(deps, r);
      summary.logs += 1;
      deps.durable.ack([r.id]);
    } catch (error) {
      summary.failed += 1;
      logger.error('journal replay: request log not written', { id: r.id, error: describeError(error) });
    }
  }
  return summary;
}

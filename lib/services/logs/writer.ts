/**
 * The request-log writer: records of requests that finish at about the same time share one
 * `BatchWriteItem` (group commit). A lone record is written at once; records that arrive while a
 * batch is in flight wait for it and go together in the next one, up to DynamoDB's 25 items a call,
 * so under concurrency the calls per request fall well below one; when more than a batch waits,
 * full batches go out beside the one in flight (up to four). Unprocessed items are resent with
 * jittered backoff (`lib/store/batch-write.ts`).
 *
 * Durability: each caller's promise settles only once its own items are stored, or parked for a
 * replay when their write failed after its retries (`request.log` records: the park queue in AWS,
 * the journal locally), and the gateway instance's `close()` waits until the queue is empty, so a
 * clean stop or a throttled table loses nothing it accepted. A crash loses what is queued or in
 * flight: at most the records of the requests in flight at that moment (their answers were sent;
 * the write had not finished).
 */
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import type { Item } from '../../store/query.js';
import type { DurableRecord } from '../durable/log.js';

/** Items per `BatchWriteItem` (DynamoDB's limit). */
const BATCH_ITEMS = 25;
/**
 * `BatchWriteItem` calls one instance keeps in flight. One is enough until the records of one call's
 * time exceed a batch; beyond that, full batches go out beside it, so the writer keeps up with the
 * requests instead of holding them (and their invocations) in a queue.
 */
const MAX_BATCHES_IN_FLIGHT = 4;

interface Pending {
  items: Item[];
  settle(error?: unknown): void;
}

interface Writer {
  queue: Pending[];
  /** Items in the queue. */
  queued: number;
  /** Batch writes in flight. */
  writing: Set<Promise<void>>;
  /** The first batch's start, deferred one turn of the event loop so concurrent records join it. */
  starting: Promise<void> | null;
}

const REQUEST_LOG_WRITER = stateSlot<Gateway, Writer>(
  'request log writer',
  () => ({ queue: [], queued: 0, writing: new Set(), starting: null }),
  async (writer) => {
    while (writer.starting || writer.writing.size > 0) {
      await Promise.allSettled([writer.starting, ...writer.writing]);
    }
  },
);

/** Takes whole requests off the queue, up to one batch of items (a request's items stay together). */
function nextBatch(writer: Writer): Pending[] {
  const batch: Pending[] = [];
  let size = 0;
  const { queue } = writer;
  while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.items.length <= BATCH_ITEMS)) {
    const next = queue.shift()!;
    batch.push(next);
    size += next.items.length;
  }
  writer.queued -= size;
  return batch;
}

/** The durable record of one request's log items whose write failed (replayed by a plain put). */
function requestLogRecord(items: Item[]): DurableRecord {
  return { kind: 'request.log', id: `log.${String(items[0]?.pk ?? '')}`, body: { items } };
}

/**
 * Parks one request's items whose write failed after its retries: the park queue in AWS, the
 * journal locally (replayed at the next start). Settles the caller's promise: stored later, or
 * (nowhere to park) the write's own error.
 */
async function park(deps: Gateway, pending: Pending, cause: unknown): Promise<void> {
  const record = requestLogRecord(pending.items);
  try {
    await deps.durable.append([record], { sync: false });
    await deps.durable.park(record, cause);
    pending.settle();
  } catch {
    logger.error('request log record not written', { id: record.id, error: describeError(cause) });
    pending.settle(cause);
  }
}

async function writeBatch(deps: Gateway, batch: Pending[]): Promise<void> {
  try {
    await deps.table.batchWrite(batch.flatMap((p) => p.items.map((put) => ({ put }))));
    for (const p of batch) p.settle();
  } catch (error) {
    await Promise.all(batch.map((p) => park(deps, p, error)));
  }
}

/**
 * Starts batch writes: while nothing is in flight, one for whatever is queued; beside writes in
 * flight, only full batches (group commit: records that arrive during a write wait to share the
 * next one), up to {@link MAX_BATCHES_IN_FLIGHT}. Each finished write starts the next.
 */
function pump(deps: Gateway, writer: Writer): void {
  while (
    writer.queue.length > 0 &&
    writer.writing.size < MAX_BATCHES_IN_FLIGHT &&
    (writer.writing.size === 0 || writer.queued >= BATCH_ITEMS)
  ) {
    const write: Promise<void> = writeBatch(deps, nextBatch(writer)).finally(() => {
      writer.writing.delete(write);
      pump(deps, writer);
    });
    writer.writing.add(write);
  }
}

/**
 * Queues one request's log items (its record, and its payload when logged) for the next batch.
 *
 * @returns a promise settled once these items are stored.
 * @throws (the promise) ServiceUnavailableError `storage_throttled` when DynamoDB kept them
 *   unprocessed past the retries; other store errors as they are. Callers after the response log it.
 */
export function writeRequestLog(deps: Gateway, items: Item[]): Promise<void> {
  const writer = deps.state(REQUEST_LOG_WRITER);
  return new Promise<void>((resolve, reject) => {
    writer.queue.push({ items, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    writer.queued += items.length;
    if (writer.writing.size > 0) {
      pump(deps, writer);
      return;
    }
    // Records that finish in the same turn of the event loop join the first batch.
    writer.starting ??= new Promise<void>((started) =>
      setImmediate(() => {
        writer.starting = null;
        pump(deps, writer);
        started();
      }),
    );
  });
}

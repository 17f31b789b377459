/**
 * The request-log writer: records of requests that finish at about the same time share one
 * `BatchWriteItem` (group commit). A lone record is written at once; records that arrive while a
 * batch is in flight wait for it and go together in the next one, up to DynamoDB's 25 items a call,
 * so under concurrency the calls per request fall well below one. Unprocessed items are resent
 * with jittered backoff (`lib/store/batch-write.ts`).
 *
 * Durability: each caller's promise settles only once its own items are stored (or their write
 * failed), and the gateway instance's `close()` waits until the queue is empty, so a clean stop
 * loses nothing it accepted. A crash loses what is queued or in flight: at most the records of the
 * requests in flight at that moment (their answers were sent; the write had not finished).
 */
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import type { Item } from '../../store/query.js';

/** Items per `BatchWriteItem` (DynamoDB's limit). */
const BATCH_ITEMS = 25;

interface Pending {
  items: Item[];
  settle(error?: unknown): void;
}

interface Writer {
  queue: Pending[];
  /** The drain writing the queue, while there is one. */
  draining: Promise<void> | null;
}

const REQUEST_LOG_WRITER = stateSlot<Gateway, Writer>(
  'request log writer',
  () => ({ queue: [], draining: null }),
  async (writer) => {
    while (writer.draining) await writer.draining;
  },
);

/** Takes whole requests off the queue, up to one batch of items (a request's items stay together). */
function nextBatch(queue: Pending[]): Pending[] {
  const batch: Pending[] = [];
  let size = 0;
  while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.items.length <= BATCH_ITEMS)) {
    const next = queue.shift()!;
    batch.push(next);
    size += next.items.length;
  }
  return batch;
}

async function drain(deps: Gateway, writer: Writer): Promise<void> {
  try {
    // Records that finish in the same turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (writer.queue.length > 0) {
      const batch = nextBatch(writer.queue);
      try {
        await deps.table.batchWrite(batch.flatMap((p) => p.items.map((put) => ({ put }))));
        for (const p of batch) p.settle();
      } catch (error) {
        // Where a durable parking place for failed writes plugs in: these items are not stored.
        logger.error('request log records not written', {
          error: describeError(error),
          records: batch.length,
        });
        for (const p of batch) p.settle(error);
      }
    }
  } finally {
    writer.draining = null;
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
    writer.draining ??= drain(deps, writer);
  });
}

import type { ParkQueue } from '../../aws/park-queue.js';
import { describeError, logger } from '../../observability.js';
import type { Journal } from '../../store/journal.js';

/** The kinds of durable records, each with its own idempotent replay (see `replay.ts`). */
export const DURABLE_KINDS = ['usage.event', 'usage.batch', 'quota.settle', 'request.log'] as const;
export type DurableKind = (typeof DURABLE_KINDS)[number];

/** Work that must not be lost: a usage event, a counter batch, a strict-quota settlement, a request's log items. */
export interface DurableRecord {
  kind: DurableKind;
  /** Unique: acknowledgements and replays name it. */
  id: string;
  body: Record<string, unknown>;
}

/**
 * The instance's durability for writes that follow an answer (usage, strict-quota settlement, and
 * request logs whose write failed). Two mechanisms behind one interface:
 *
 * - **journaled** (the local runtime): `append` resolves once the records are in the journal
 *   under `DATA_DIR/journal/` (fsync'd in groups, see `JOURNAL_FSYNC`); `ack` marks them applied; whatever a kill leaves
 *   unacknowledged is replayed at the next start. `park` leaves the record in the journal.
 * - **parking** (AWS): the Lambda invocation outlives its response until the write settles, so
 *   `append` has nothing to do; a write that still fails after its retries is `park`ed on an SQS
 *   queue (with its own dead-letter queue and an alarm), replayed by the park-replay function.
 *
 * Every replay is idempotent (counter batches carry their id in the write's condition;
 * settlements remove their hold only once), so a record applied twice counts once.
 */
export interface DurableLog {
  /** True when `append` makes records survive a kill of the process. */
  readonly journaled: boolean;
  /**
   * Resolves once `records` would survive a kill of the process (journaled: written; synced too
   * with `JOURNAL_FSYNC=strict`, else synced in groups just after), at once otherwise.
   * `sync: false`: once written, whatever the mode.
   */
  append(records: readonly DurableRecord[], options?: { sync?: boolean }): Promise<void>;
  /** The records are applied: replay may skip them. */
  ack(ids: readonly string[]): void;
  /**
   * A record whose write failed after its retries: kept for replay (SQS in AWS; the journal
   * locally). Rejects only when it could not be kept anywhere (then it is logged in full).
   */
  park(record: DurableRecord, cause: unknown): Promise<void>;
}

/** The local runtime's log: a journal in DATA_DIR. */
export function journalLog(journal: Journal): DurableLog {
  return {
    journaled: true,
    append: (records, options) => journal.append(records, options),
    ack: (ids) => journal.ack(ids),
    async park(record, cause) {
      // Unacknowledged, it stays in the journal and is replayed at the next start.
      logger.warn('durable write parked in the journal', {
        kind: record.kind,
        id: record.id,
        error: describeError(cause),
      });
    },
  };
}

/** AWS: nothing to journal; failed writes go to the park queue (or, with none configured, the log). */
export function parkingLog(queue: ParkQueue | undefined): DurableLog {
  return {
    journaled: false,
    append: async () => undefined,
    ack: () => undefined,
    async park(record, cause) {
      if (!queue) {
        // Nowhere to park (tests, tools): the write fails as it would have, with its own error.
        logger.error('durable write not parked: no park queue (DURABLE_PARK_QUEUE_URL)', {
          kind: record.kind,
          id: record.id,
        });
        throw cause;
      }
      logger.warn('durable write parked', { kind: record.kind, id: record.id, error: describeError(cause) });
      try {
        await queue.send(JSON.stringify(record));
      } catch (error) {
        // The last resort: the record in full, so an operator can replay it by hand; never a
        // request's log items, which may hold its bodies (logs are not where bodies may go).
        const logged = record.kind === 'request.log' ? { kind: record.kind, id: record.id } : record;
        logger.error('durable write lost: not parked', { record: logged, error: describeError(error) });
        throw error;
      }
    },
  };
}

/**
 * Consumer of the park queue (`DURABLE_PARK_QUEUE_URL`): replays each parked record (a usage batch,
 * a strict-quota settlement or a request's log items whose write failed after its retries) exactly once, through the record's
 * own idempotent write. A message that fails again is reported alone (partial batch response) and
 * redelivered by SQS; after the queue's `maxReceiveCount` it moves to the dead-letter queue, where
 * an alarm waits. A message that is not a durable record goes to the dead-letter queue at once.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError, logger } from '../../lib/observability.js';
import { bindToContainer } from '../../lib/runtime/container.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import {
  applyParked,
  InvalidDurableRecordError,
  parseDurableRecord,
} from '../../lib/services/durable/replay.js';

/** Replays one SQS batch; returns the messages to redeliver. */
export async function replayParked(deps: Gateway, event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      const record = parseDurableRecord(message.body);
      const outcome = await applyParked(deps, record);
      logger.info('parked record replayed', { kind: record.kind, id: record.id, outcome });
    } catch (error) {
      if (error instanceof InvalidDurableRecordError) {
        // Retrying cannot help: reported failed on every receive, it reaches the dead-letter queue.
        logger.error('parked message is not a durable record', { message_id: message.messageId });
      } else {
        logger.warn('parked record not replayed yet', {
          message_id: message.messageId,
          error: describeError(error),
        });
      }
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
}

/** The Lambda entry point. */
export const handler = bindToContainer((deps) => (event: SQSEvent) => replayParked(deps, event));

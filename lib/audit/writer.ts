import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { describeError, logger } from '../observability.js';
import type { Gateway } from '../runtime/gateway.js';
import type { Item } from '../store/table.js';
import { BatchFailures, sequenceOf } from '../streams/batch.js';
import { appendEvent, headAfter } from './chain.js';
import { draftOf } from './event.js';

/** What a batch did: events appended, records already in the chain (replays), records ignored. */
export interface AuditBatchOutcome {
  response: DynamoDBBatchResponse;
  appended: number;
  replayed: number;
  ignored: number;
}

/**
 * The audit writer's batch: turns each record that changes an audited object into an event and
 * appends it to the hash chain, in stream order. The first record that cannot be appended is
 * reported with everything after it left for the retry (which resumes from it), so events keep
 * stream order and none is lost; a replayed record is recognised by its marker and skipped.
 */
export async function writeAuditEvents(deps: Gateway, records: DynamoDBRecord[]): Promise<AuditBatchOutcome> {
  const failures = new BatchFailures();
  const outcome = { appended: 0, replayed: 0, ignored: 0 };
  /** The head as this batch last left it: saves reading it back before the next append. */
  let head: Item | undefined;
  for (const record of records) {
    const draft = draftOf(record, deps.now());
    if (!draft) {
      outcome.ignored++;
      continue;
    }
    if (!draft.source_id) draft.source_id = `seq-${sequenceOf(record)}`;
    try {
      const result = await appendEvent(deps, draft, head);
      head = result.appended ? headAfter(result.event) : undefined;
      if (result.appended) outcome.appended++;
      else outcome.replayed++;
    } catch (error) {
      logger.error('audit append failed: batch resumes from this record', {
        sequence_number: sequenceOf(record),
        error: describeError(error),
      });
      failures.add(sequenceOf(record));
      break;
    }
  }
  return { response: failures.response(), ...outcome };
}

import { AUDITED_DENIAL_PK_PREFIX, AUDITED_MODEL_SK_PREFIX, AUDITED_SORT_KEYS } from '../audit/entities.js';
import { type ItemKind, keys } from '../store/keys.js';

/**
 * One consumer of the table's change stream (NEW_AND_OLD_IMAGES). The CDK stack builds a Lambda
 * event source mapping from each entry; the local runtime delivers to the same handler with the
 * same batching, filter, retry and bisect settings. `fn` names `functions/<fn>.ts` (`handler`).
 */
export interface StreamConsumer {
  fn: string;
  /** Most records per invocation. */
  batchSize: number;
  /** Seconds to gather records before invoking (0: as soon as any are available). */
  maxBatchingWindowSeconds: number;
  /** Retries of a failing batch before its records go to the on-failure destination. */
  maxRetryAttempts: number;
  /** Split a batch in two when the handler throws, to isolate a poison record. */
  bisectBatchOnFunctionError: boolean;
  /** The handler returns `{ batchItemFailures }`; retries resume from the lowest one. */
  reportBatchItemFailures: boolean;
  /** Concurrent batches per stream shard (records of one partition key stay in order). */
  parallelizationFactor: number;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  /** Lambda event filter patterns (`FilterCriteria`, AWS syntax): only matching records are delivered. */
  filterPatterns: ReadonlyArray<Record<string, unknown>>;
  /**
   * Seconds after which a record that still fails is given up to the on-failure destination
   * (`MaximumRecordAgeInSeconds`, 60 to 604800). Default {@link DEFAULT_MAX_RECORD_AGE_SECONDS}.
   */
  maxRecordAgeSeconds?: number;
  /**
   * The on-failure destination keeps the whole batch (its records, images included: an S3 bucket
   * in AWS) rather than stream coordinates (an SQS queue), which point at nothing once the stream's
   * 24-hour retention has passed. For a consumer whose every record must be taken (the audit trail).
   */
  keepsFailedRecords?: boolean;
  /**
   * The kinds of item the consumer writes (partition prefixes of `ITEM_PARTITIONS`): its only table
   * write grant. Required in practice: the stack and `test/infra/route-needs.test.ts` refuse a
   * consumer without it; `test/integration/route-writes.test.ts` checks it against real writes.
   */
  writes?: readonly ItemKind[];
}

/**
 * Default age (seconds) after which a failing record is given up: 23 hours, an hour inside the
 * stream's 24-hour retention, so no consumer drops a record earlier than the stream would.
 */
export const DEFAULT_MAX_RECORD_AGE_SECONDS = 82_800;

/**
 * Every stream consumer. The quota enforcer reads only hourly usage counter inserts and updates;
 * it rolls them up to days and months and evaluates quotas. Its batching window is 0 so that a
 * crossing reaches the quota state (and, within the request path's 4 s cache, a 429) within 5 s.
 */
export const STREAM_CONSUMERS: readonly StreamConsumer[] = [
  {
    fn: 'streams/quota-enforcer',
    // Usage roll-ups and quota states.
    writes: ['usage', 'quota'],
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    maxRetryAttempts: 10,
    bisectBatchOnFunctionError: true,
    reportBatchItemFailures: true,
    parallelizationFactor: 1,
    startingPosition: 'LATEST',
    filterPatterns: [
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: { Keys: { sk: { S: [{ prefix: keys.usageHourlySkPrefix() }] } } },
      },
    ],
  },
  /**
   * The audit writer (`docs/audit.md`): every change of an audited item (providers, models,
   * credentials, routing rules, quotas, API key records, teams, incidents) and every security refusal. One lane, so the hash chain is
   * appended in stream order; retried for as long as Lambda allows (10,000); a batch still failing
   * past the record age limit goes, records and all, to a destination it is replayed from.
   */
  {
    fn: 'streams/audit-writer',
    // Events, the chain head, and the mark of each source record taken.
    writes: ['auditEvent', 'auditHead', 'auditSource'],
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    maxRetryAttempts: 10_000,
    bisectBatchOnFunctionError: true,
    reportBatchItemFailures: true,
    parallelizationFactor: 1,
    startingPosition: 'TRIM_HORIZON',
    keepsFailedRecords: true,
    filterPatterns: [
      { dynamodb: { Keys: { sk: { S: Object.keys(AUDITED_SORT_KEYS) } } } },
      { dynamodb: { Keys: { sk: { S: [{ prefix: AUDITED_MODEL_SK_PREFIX }] } } } },
      { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: AUDITED_DENIAL_PK_PREFIX }] } } } },
    ],
  },
];

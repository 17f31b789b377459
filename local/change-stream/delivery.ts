import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describeError, logger } from '../../lib/observability.js';
import { DEFAULT_MAX_RECORD_AGE_SECONDS, type StreamConsumer } from '../../lib/streams/consumers.js';
import { matchesAny } from './filter.js';

/** Invokes the consumer's handler with one batch (Lambda's synchronous invoke). */
export type Invoke = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

/** What Lambda sends to an on-failure destination when a batch exhausts its retries. */
export interface FailedBatch {
  consumer: string;
  /** Retries used up, or the oldest record past the consumer's maximum record age. */
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  approximateInvokeCount: number;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  streamArn: string;
  reason: string;
  /** The batch itself, for a consumer whose destination keeps it (`keepsFailedRecords`: S3 in AWS). */
  records?: DynamoDBRecord[];
}

export interface DeliveryOptions {
  /** Milliseconds before the n-th retry: `retryBaseMs × 2^(n−1)`, at most 1 s. */
  retryBaseMs: number;
  onFailure: (failed: FailedBatch) => void;
  /** The clock record ages are measured on (epoch ms; the capture stamps records with the same). */
  now: () => number;
}

interface Lane {
  queue: DynamoDBRecord[];
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

type Outcome = { ok: true } | { ok: false; from: number; reason: string; thrown: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stable small hash of a partition key (lane selection). */
function laneOf(partitionKey: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < partitionKey.length; i++) h = (h * 31 + partitionKey.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

/**
 * Delivers stream records to one consumer as Lambda's event source mapping does: records that
 * pass the filter are queued in `parallelizationFactor` lanes by partition key (one batch in
 * flight per lane, so records of one key stay in order), batched up to `batchSize` or for
 * `maxBatchingWindowSeconds`, retried while the handler throws (bisecting the batch when
 * configured) or reports `batchItemFailures` (resuming from the lowest reported record), and sent
 * to the on-failure destination after `maxRetryAttempts` retries or once its oldest record is past
 * `maxRecordAgeSeconds` (with the records themselves when the consumer's destination keeps them).
 */
export class ConsumerRunner {
  private readonly lanes: Lane[];
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    readonly consumer: StreamConsumer,
    private readonly invoke: Invoke,
    private readonly options: DeliveryOptions,
  ) {
    this.lanes = Array.from({ length: Math.max(1, consumer.parallelizationFactor) }, () => ({
      queue: [],
      running: false,
      timer: undefined,
    }));
  }

  /** Queues a record if the consumer's filter accepts it. */
  push(record: DynamoDBRecord, partitionKey: string): void {
    if (this.stopped || !matchesAny(this.consumer.filterPatterns, record)) return;
    const lane = this.lanes[laneOf(partitionKey, this.lanes.length)]!;
    lane.queue.push(record);
    this.schedule(lane);
  }

  /** Resolves once every queued record has been delivered (or given up on). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Delivers queued records now instead of waiting out the batching window. */
  flush(): void {
    for (const lane of this.lanes) {
      if (!lane.timer) continue;
      clearTimeout(lane.timer);
      lane.timer = undefined;
      void this.run(lane);
    }
  }

  /** Stops taking records; resolves when the batches in flight end. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
      lane.queue.length = 0;
    }
    await this.idle();
  }

  /** Whether nothing is queued or in flight. */
  isIdle(): boolean {
    return this.lanes.every((l) => !l.running && l.queue.length === 0);
  }

  private schedule(lane: Lane): void {
    if (lane.running || lane.timer || lane.queue.length === 0) return;
    const full = lane.queue.length >= this.consumer.batchSize;
    const wait = full ? 0 : this.consumer.maxBatchingWindowSeconds * 1000;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      void this.run(lane);
    }, wait);
  }

  private async run(lane: Lane): Promise<void> {
    lane.running = true;
    const batch = lane.queue.splice(0, this.consumer.batchSize);
    await this.deliver(batch, 0);
    lane.running = false;
    this.schedule(lane);
    if (this.isIdle()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Delivers one batch until it succeeds or runs out of retries; `attempts` counts retries so far. */
  private async deliver(records: DynamoDBRecord[], attempts: number): Promise<void> {
    let pending = records;
    let retries = attempts;
    for (;;) {
      if (this.tooOld(pending)) {
        this.giveUp(pending, retries, 'record age exceeded', 'RecordAgeExceeded');
        return;
      }
      const outcome = await this.attempt(pending);
      if (outcome.ok) return;
      if (outcome.thrown && this.consumer.bisectBatchOnFunctionError && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        await this.deliver(pending.slice(0, half), retries + 1);
        await this.deliver(pending.slice(half), retries + 1);
        return;
      }
      pending = pending.slice(outcome.from);
      retries += 1;
      if (retries > this.consumer.maxRetryAttempts || this.stopped) {
        this.giveUp(pending, retries, this.stopped ? 'stream stopped' : outcome.reason);
        return;
      }
      await sleep(Math.min(1000, this.options.retryBaseMs * 2 ** (retries - 1)));
    }
  }

  /** Whether the batch's oldest record is past the consumer's `maxRecordAgeSeconds` (Lambda gives it up). */
  private tooOld(records: DynamoDBRecord[]): boolean {
    const maxAgeMs = (this.consumer.maxRecordAgeSeconds ?? DEFAULT_MAX_RECORD_AGE_SECONDS) * 1000;
    const oldest = Math.min(
      ...records.map((r) => (r.dynamodb?.ApproximateCreationDateTime ?? Infinity) * 1000),
    );
    return this.options.now() - oldest > maxAgeMs;
  }

  /**
   * Invokes the handler once with records taken back from the on-failure destination (an operator's
   * replay: a direct invocation, so no age limit applies). Resolves whether every record was taken.
   */
  async replay(records: DynamoDBRecord[]): Promise<boolean> {
    return (await this.attempt(records)).ok;
  }

  /** One invocation; a partial response resumes from the lowest reported record. */
  private async attempt(records: DynamoDBRecord[]): Promise<Outcome> {
    let response: DynamoDBBatchResponse | undefined;
    try {
      response = await this.invoke({ Records: records });
    } catch (error) {
      logger.warn('stream consumer failed; retrying the batch', {
        consumer: this.consumer.fn,
        error: describeError(error),
      });
      return { ok: false, from: 0, reason: 'function error', thrown: true };
    }
    const failures = this.consumer.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
    if (failures.length === 0) return { ok: true };
    const sequences = records.map((r) => r.dynamodb?.SequenceNumber);
    const indexes = failures.map((f) => sequences.indexOf(f.itemIdentifier));
    // Lambda treats an empty or unknown identifier as a failure of the whole batch.
    const from = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
    return { ok: false, from, reason: 'batch item failures', thrown: false };
  }

  private giveUp(
    records: DynamoDBRecord[],
    invocations: number,
    reason: string,
    condition: FailedBatch['condition'] = 'RetryAttemptsExhausted',
  ): void {
    const failed: FailedBatch = {
      consumer: this.consumer.fn,
      condition,
      approximateInvokeCount: invocations,
      startSequenceNumber: String(records[0]?.dynamodb?.SequenceNumber),
      endSequenceNumber: String(records.at(-1)?.dynamodb?.SequenceNumber),
      batchSize: records.length,
      streamArn: String(records[0]?.eventSourceARN),
      reason,
    };
    logger.error('stream batch sent to the on-failure destination', { ...failed });
    if (this.consumer.keepsFailedRecords) failed.records = records;
    this.options.onFailure(failed);
  }
}

import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamConsumer } from '../../lib/streams/consumers.js';
import { GatewayFunction } from './gateway-function.js';

/**
 * Default age after which a failing record is no longer retried but sent (as stream coordinates) to
 * the failure queue. The stream keeps records 24 hours: giving up an hour before that means no
 * consumer drops a record earlier than the stream would (the audit chain and the quota roll-ups want
 * every record), and the coordinates in the queue still point at readable records for that hour.
 * An entry of `STREAM_CONSUMERS` may set its own `maxRecordAgeSeconds` (60 to 604800).
 */
export const MAX_RECORD_AGE = Duration.hours(23);

/** The maximum record age of a consumer: its own `maxRecordAgeSeconds` if the entry has one. */
export function maxRecordAgeOf(consumer: StreamConsumer): Duration {
  const own = (consumer as StreamConsumer & { maxRecordAgeSeconds?: number }).maxRecordAgeSeconds;
  return own === undefined ? MAX_RECORD_AGE : Duration.seconds(own);
}

/** How long a failure queue keeps a message: SQS's maximum, so a failure outlives a long weekend. */
export const FAILURE_RETENTION = Duration.days(14);

/**
 * Reserved concurrency of each consumer. A DynamoDB stream consumer runs at most one batch per shard
 * times `parallelizationFactor`; an on-demand table of this size has a handful of shards. Five keeps
 * the consumer's writes to the table (roll-ups, quota states) bounded whatever the traffic, and
 * reserves the capacity so an API burst cannot starve the consumer (its lag is what a quota 429
 * waits on).
 */
export const CONSUMER_RESERVED_CONCURRENCY = 5;

/** The `timeout` of a consumer: a batch of 100 counter records is a few table round trips. */
export const CONSUMER_TIMEOUT = Duration.seconds(60);

export interface StreamConsumerFunction {
  consumer: StreamConsumer;
  fn: GatewayFunction;
  failureQueue: sqs.Queue;
  eventSource: DynamoEventSource;
}

export interface GatewayStreamConsumersProps {
  table: dynamodb.ITable;
  consumers: readonly StreamConsumer[];
  /** The handler module's path for `fn` (the stack checks it exists). */
  entryOf: (fn: string) => string;
  /** The construct id of `fn`'s function. */
  idOf: (fn: string) => string;
  /** Grants what the handler does (table, event bus); called once per consumer. */
  grant: (consumer: StreamConsumer, fn: GatewayFunction) => void;
  logRetention: logs.RetentionDays;
  /** Reserve {@link CONSUMER_RESERVED_CONCURRENCY} per consumer. */
  reserveConcurrency: boolean;
}

/**
 * One function per entry of `STREAM_CONSUMERS`, each with an event source mapping on the table's
 * stream built from the entry (batch size and window, filter patterns, bisect on error, partial
 * batch responses, retries, parallelization, starting position), a maximum record age, and an
 * encrypted SQS queue as on-failure destination. A consumer added to the list appears on next synth.
 */
export class GatewayStreamConsumers extends Construct {
  readonly consumers: StreamConsumerFunction[] = [];

  constructor(scope: Construct, id: string, props: GatewayStreamConsumersProps) {
    super(scope, id);
    for (const consumer of props.consumers) {
      const id = props.idOf(consumer.fn);
      const fn = new GatewayFunction(this, id, {
        entry: props.entryOf(consumer.fn),
        description: `DynamoDB stream consumer: ${consumer.fn}`,
        timeout: CONSUMER_TIMEOUT,
        logRetention: props.logRetention,
        ...(props.reserveConcurrency ? { reservedConcurrentExecutions: CONSUMER_RESERVED_CONCURRENCY } : {}),
      });
      props.grant(consumer, fn);

      const failureQueue = new sqs.Queue(this, `${id}Failures`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: FAILURE_RETENTION,
      });
      Validations.of(failureQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter destination of a stream event source mapping (failed ' +
          'batch coordinates); nothing consumes it automatically, and the DLQ-depth alarm watches it.',
      });

      const eventSource = new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition[consumer.startingPosition],
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        retryAttempts: consumer.maxRetryAttempts,
        bisectBatchOnError: consumer.bisectBatchOnFunctionError,
        reportBatchItemFailures: consumer.reportBatchItemFailures,
        parallelizationFactor: consumer.parallelizationFactor,
        maxRecordAge: maxRecordAgeOf(consumer),
        onFailure: new SqsDlq(failureQueue),
        ...(consumer.filterPatterns.length > 0
          ? { filters: consumer.filterPatterns.map((p) => lambda.FilterCriteria.filter(p)) }
          : {}),
      });
      fn.function.addEventSource(eventSource);
      this.consumers.push({ consumer, fn, failureQueue, eventSource });
    }
  }
}

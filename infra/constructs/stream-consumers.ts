import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECORD_AGE_SECONDS, type StreamConsumer } from '../../lib/streams/consumers.js';
import { GatewayFunction } from './gateway-function.js';

/**
 * Default age after which a failing record is no longer retried but sent (as stream coordinates) to
 * the failure queue. The stream keeps records 24 hours: giving up an hour before that means no
 * consumer drops a record earlier than the stream would (the audit chain and the quota roll-ups want
 * every record), and the coordinates in the queue still point at readable records for that hour.
 * An entry of `STREAM_CONSUMERS` may set its own `maxRecordAgeSeconds` (60 to 604800).
 */
export const MAX_RECORD_AGE = Duration.seconds(DEFAULT_MAX_RECORD_AGE_SECONDS);

/** The maximum record age of a consumer: its own `maxRecordAgeSeconds` if the entry has one. */
export function maxRecordAgeOf(consumer: StreamConsumer): Duration {
  const own = consumer.maxRecordAgeSeconds;
  return own === undefined ? MAX_RECORD_AGE : Duration.seconds(own);
}

/** The S3 request-metrics filter id counting failed batches written to a records bucket. */
export const FAILED_BATCHES_METRIC_ID = 'FailedBatches';

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
  /** The on-failure destination: a queue of stream coordinates, or a bucket of whole batches. */
  failureQueue?: sqs.Queue;
  failedRecords?: s3.Bucket;
  /** Failed batches delivered to the destination (queue depth, or objects written), per 5 minutes. */
  failedBatches: cloudwatch.IMetric;
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

      const failure = consumer.keepsFailedRecords ? this.recordsBucket(id, fn) : this.coordinatesQueue(id);
      const eventSource = new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition[consumer.startingPosition],
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        retryAttempts: consumer.maxRetryAttempts,
        bisectBatchOnError: consumer.bisectBatchOnFunctionError,
        reportBatchItemFailures: consumer.reportBatchItemFailures,
        parallelizationFactor: consumer.parallelizationFactor,
        maxRecordAge: maxRecordAgeOf(consumer),
        onFailure: failure.destination,
        ...(consumer.filterPatterns.length > 0
          ? { filters: consumer.filterPatterns.map((p) => lambda.FilterCriteria.filter(p)) }
          : {}),
      });
      fn.function.addEventSource(eventSource);
      const { destination: _, ...kept } = failure;
      this.consumers.push({ consumer, fn, ...kept, eventSource });
    }
  }

  /** An encrypted, TLS-only queue of failed batches' stream coordinates, kept 14 days. */
  private coordinatesQueue(id: string) {
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
    return {
      destination: new SqsDlq(failureQueue),
      failureQueue,
      failedBatches: failureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
    };
  }

  /**
   * A private, encrypted, TLS-only, versioned bucket that Lambda writes each failed batch to, its
   * records included (the S3 on-failure destination of stream event source mappings), retained with
   * the stack; a request-metrics filter counts the objects written.
   */
  private recordsBucket(id: string, fn: GatewayFunction) {
    const failedRecords = new s3.Bucket(this, `${id}FailedRecords`, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      metrics: [{ id: FAILED_BATCHES_METRIC_ID }],
    });
    Validations.of(failedRecords).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the stream event source mapping writes here (failed batches, records included); ' +
        'CloudTrail data events, not server access logs, are the place to audit reads of it.',
    });
    // Lambda needs PutObject and ListBucket on the destination, nothing more: CDK's
    // S3OnFailureDestination grants read, write and delete, which would let the consumer erase what
    // it failed to take.
    const destination: lambda.IEventSourceDlq = {
      bind: () => ({ destination: failedRecords.bucketArn }),
    };
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [failedRecords.arnForObjects('*')] }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [failedRecords.bucketArn] }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(failedRecords.node.defaultChild as CfnElement)}.Arn>/*]`,
      reason:
        'Lambda names each failed-batch object itself: the on-failure destination needs PutObject on ' +
        'every key of its own bucket (and no read or delete).',
    });
    return {
      destination,
      failedRecords,
      failedBatches: new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName: 'PutRequests',
        dimensionsMap: { BucketName: failedRecords.bucketName, FilterId: FAILED_BATCHES_METRIC_ID },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
    };
  }
}

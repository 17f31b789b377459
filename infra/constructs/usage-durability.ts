import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GatewayFunction } from './gateway-function.js';

/** Receives of a parked message before it moves to the dead-letter queue (~1 h of retries with backoff). */
export const PARK_MAX_RECEIVES = 10;
/** Timeout of the park-replay function: a batch of 10 records is 10 conditional writes. */
export const PARK_REPLAY_TIMEOUT = Duration.seconds(60);
/** Timeout of the reconcile function: 48 hours of counters, one query per provider. */
export const RECONCILE_TIMEOUT = Duration.minutes(10);
/** SQS's maximum retention: a parked write outlives a long weekend of DynamoDB trouble. */
export const PARK_RETENTION = Duration.days(14);

export interface UsageDurabilityProps {
  /** Handler modules of the park-replay and reconcile functions. */
  replayEntry: string;
  reconcileEntry: string;
  logRetention: logs.RetentionDays;
  /** Where the alarms notify, if anywhere. */
  alarmTopic?: sns.ITopic;
}

/**
 * Usage that no failure loses, in AWS: the **park queue** takes a usage batch, a strict-quota
 * settlement or a request's log records whose write still failed after its retries (every AI function may send to it, and gets
 * `DURABLE_PARK_QUEUE_URL`); the **park-replay** function consumes it and applies each record through
 * its idempotent write (partial batch responses; a record that keeps failing moves to the
 * **dead-letter queue** after {@link PARK_MAX_RECEIVES} receives). An alarm fires as soon as anything is
 * parked, another when anything reaches the dead-letter queue. The **reconcile** function recomputes
 * the last 48 hours of roll-ups from the counters every day (and on demand, with a period).
 */
export class UsageDurability extends Construct {
  readonly parkQueue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly replayFn: GatewayFunction;
  readonly reconcileFn: GatewayFunction;
  readonly reconcileRule: events.Rule;
  readonly parkedAlarm: cloudwatch.Alarm;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UsageDurabilityProps) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'ParkDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: PARK_RETENTION,
    });
    this.parkQueue = new sqs.Queue(this, 'ParkQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: PARK_RETENTION,
      // Lambda's guidance: at least six times the consumer's timeout.
      visibilityTimeout: Duration.seconds(PARK_REPLAY_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: PARK_MAX_RECEIVES },
    });

    this.replayFn = new GatewayFunction(this, 'ParkReplay', {
      entry: props.replayEntry,
      description:
        'Replays parked usage batches, quota settlements and request-log records, each exactly once',
      timeout: PARK_REPLAY_TIMEOUT,
      logRetention: props.logRetention,
    });
    this.replayFn.function.addEventSource(
      new SqsEventSource(this.parkQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    this.reconcileFn = new GatewayFunction(this, 'Reconcile', {
      entry: props.reconcileEntry,
      description: 'Recomputes the usage roll-ups of the last 48 hours from the hourly counters',
      timeout: RECONCILE_TIMEOUT,
      logRetention: props.logRetention,
    });
    this.reconcileFn.function.configureAsyncInvoke({ maxEventAge: Duration.hours(1), retryAttempts: 1 });
    this.reconcileRule = new events.Rule(this, 'ReconcileSchedule', {
      description: 'Reconciles the usage roll-ups with the counters every day',
      schedule: events.Schedule.cron({ minute: '20', hour: '3' }),
      targets: [new targets.LambdaFunction(this.reconcileFn.function, { retryAttempts: 2 })],
    });

    const period = Duration.minutes(5);
    this.parkedAlarm = new cloudwatch.Alarm(this, 'UsageParked', {
      alarmDescription:
        'A usage write, quota settlement or request-log write failed after its retries and was parked (it is replayed; check DynamoDB throttling)',
      metric: this.parkQueue.metricNumberOfMessagesSent({ period, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'UsageParkDeadLetters', {
      alarmDescription: 'A parked usage record could not be replayed: it waits in the dead-letter queue',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      for (const alarm of [this.parkedAlarm, this.deadLetterAlarm]) {
        alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      }
    }
  }

  /** Lets a function park failed writes: `sqs:SendMessage` on the park queue, and its URL. */
  grantPark(fn: GatewayFunction): void {
    this.parkQueue.grantSendMessages(fn.role);
    fn.addEnvironment('DURABLE_PARK_QUEUE_URL', this.parkQueue.queueUrl);
  }
}

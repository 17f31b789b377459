import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** CloudWatch alarms on metric math may reference at most 10 metrics (a hard limit). */
export const MAX_METRICS_PER_ALARM = 10;

const PERIOD = Duration.minutes(5);

export interface GatewayAlarmsProps {
  api: apigateway.RestApi;
  table: dynamodb.ITable;
  /** Route functions by a stable name; their errors and throttles are alarmed on. */
  functions: ReadonlyMap<string, lambda.IFunction>;
  /**
   * Functions whose throttles are alarmed on but whose errors are not: the authorizer reports
   * every refused key as a function error (that is how a Lambda authorizer says 401).
   */
  throttleOnlyFunctions: ReadonlyMap<string, lambda.IFunction>;
  /** Stream consumers: an iterator-age alarm per mapping and a depth alarm per failure queue. */
  /** Each consumer with the metric of batches its on-failure destination received. */
  streamConsumers?: ReadonlyArray<{ name: string; fn: lambda.IFunction; failedBatches: cloudwatch.IMetric }>;
  /** Iterator age (ms) of a stream mapping that raises its alarm. Default 60 000 (one minute). */
  iteratorAgeMs?: number;
  /** Where alarms notify; without one they only show on the dashboard. */
  alarmTopic?: sns.ITopic;
  /** Percentage of 5xx among API requests that raises the 5xx alarm. Default 5. */
  serverErrorRatePercent?: number;
}

/** Splits entries into groups of at most `size` (alarm metric math limit). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `SUM([m0, m1, ...])` over one metric per function: one time series, missing points as 0. */
function sumOf(label: string, metrics: cloudwatch.IMetric[]): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`m${i}`, m]));
  return new cloudwatch.MathExpression({
    expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
    usingMetrics,
    label,
    period: PERIOD,
  });
}

/**
 * The gateway's alarms and dashboard: the API's 5xx rate, Lambda errors and throttles summed over
 * the functions (in groups of ten, the metric-math limit, so the alarm count does not grow with the
 * routes), and DynamoDB throttle events. Missing data is "not breaching": an idle gateway is healthy.
 */
export class GatewayAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly topic: sns.ITopic | undefined;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    this.topic = props.alarmTopic;
    const { api } = props;
    const requests = api.metricCount({ period: PERIOD, statistic: 'Sum' });
    const serverErrors = api.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const rate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: 'API 5xx rate (%)',
      period: PERIOD,
    });
    this.add(
      'Api5xxRate',
      rate,
      props.serverErrorRatePercent ?? 5,
      'API Gateway 5xx responses, % of requests',
      {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    );

    const errorFns = [...props.functions.entries()];
    const throttleFns = [...errorFns, ...props.throttleOnlyFunctions.entries()];
    chunk(errorFns, MAX_METRICS_PER_ALARM).forEach((group, i) => {
      const metric = sumOf(
        'Function errors',
        group.map(([, fn]) => fn.metricErrors({ period: PERIOD, statistic: 'Sum' })),
      );
      this.add(`FunctionErrors${i + 1}`, metric, 1, `Unhandled errors or timeouts in ${names(group)}`);
    });
    chunk(throttleFns, MAX_METRICS_PER_ALARM).forEach((group, i) => {
      const metric = sumOf(
        'Function throttles',
        group.map(([, fn]) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum' })),
      );
      this.add(`FunctionThrottles${i + 1}`, metric, 1, `Throttled invocations of ${names(group)}`);
    });
    const tableThrottles = sumOf('Table throttle events', [
      props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
      props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
    ]);
    this.add('TableThrottles', tableThrottles, 1, 'DynamoDB read or write throttle events');

    // Quotas are enforced from the stream: a consumer a minute behind means a crossing is noticed a
    // minute late. Any message in a failure queue is a batch that exhausted its retries.
    const consumers = props.streamConsumers ?? [];
    const iteratorAges = consumers.map(({ name, fn }) =>
      fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum', label: name }),
    );
    consumers.forEach(({ name, failedBatches }, i) => {
      // Unlabelled: a labelled metric renders as metric math, which hides the metric from the alarm's own fields.
      const id = idOf(name);
      this.add(
        `IteratorAge${id}`,
        consumers[i]!.fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        props.iteratorAgeMs ?? 60_000,
        `Stream consumer ${name} is behind the table's stream (iterator age, ms)`,
        { evaluationPeriods: 2, datapointsToAlarm: 2 },
      );
      this.add(
        `DeadLetters${id}`,
        failedBatches,
        1,
        `Stream batches of ${name} given up to the on-failure destination (retries or record age exhausted)`,
      );
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const allFns = throttleFns.map(([name, fn]) => ({ name, fn }));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [requests, api.metricClientError({ period: PERIOD, statistic: 'Sum' }), serverErrors],
        right: [rate],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        left: [
          api.metricLatency({ period: PERIOD, statistic: 'p50' }),
          api.metricLatency({ period: PERIOD, statistic: 'p99' }),
          api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: allFns.map(({ name, fn }) =>
          fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function throttles',
        left: allFns.map(({ name, fn }) =>
          fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms)',
        left: allFns.map(({ name, fn }) =>
          fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Table capacity consumed',
        left: [
          props.table.metricConsumedReadCapacityUnits({ period: PERIOD, statistic: 'Sum' }),
          props.table.metricConsumedWriteCapacityUnits({ period: PERIOD, statistic: 'Sum' }),
        ],
        right: [tableThrottles],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
    if (consumers.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Stream iterator age (ms)', left: iteratorAges, width: 12 }),
        new cloudwatch.GraphWidget({
          title: 'Stream failure queues',
          left: consumers.map(({ failedBatches }) => failedBatches),
          width: 12,
        }),
      );
    }
  }

  private add(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    periods: { evaluationPeriods: number; datapointsToAlarm: number } = {
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      ...periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (this.topic) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** `streams/quota-enforcer` → `StreamsQuotaEnforcer`. */
function idOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function names(group: ReadonlyArray<readonly [string, unknown]>): string {
  return group.map(([name]) => name).join(', ');
}

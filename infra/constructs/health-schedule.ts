import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GatewayFunction, MAX_TIMEOUT } from './gateway-function.js';

/** `HEALTH_CHECK_INTERVAL`'s bounds in `lib/config.ts` (seconds). */
export const MIN_HEALTH_CHECK_INTERVAL = 5;
export const MAX_HEALTH_CHECK_INTERVAL = 86_400;

/**
 * The interval the schedule can run at: EventBridge rates are whole minutes, one at least, so the
 * requested seconds are rounded up to the next minute (300 stays 300; 5 becomes 60; 90 becomes 120).
 *
 * @throws when `seconds` is not an integer within `HEALTH_CHECK_INTERVAL`'s bounds.
 */
export function effectiveHealthInterval(seconds: number): number {
  if (
    !Number.isInteger(seconds) ||
    seconds < MIN_HEALTH_CHECK_INTERVAL ||
    seconds > MAX_HEALTH_CHECK_INTERVAL
  ) {
    throw new Error(
      `healthCheckInterval must be an integer from ${MIN_HEALTH_CHECK_INTERVAL} to ${MAX_HEALTH_CHECK_INTERVAL} seconds (got ${seconds})`,
    );
  }
  return Math.ceil(seconds / 60) * 60;
}

/**
 * The function timeout for an interval: one interval (the run's budget, `runBudgetMs`, is one
 * interval less a margin, so a run ends before the next one starts), capped at Lambda's 15 minutes.
 */
export function healthCheckTimeout(intervalSeconds: number): Duration {
  return Duration.seconds(Math.min(intervalSeconds, MAX_TIMEOUT.toSeconds()));
}

/**
 * One scheduled health run at a time: a run that overlapped the next would probe every provider
 * twice and write its history, states and incidents twice.
 */
export const HEALTH_CHECK_RESERVED_CONCURRENCY = 1;

export interface HealthScheduleProps {
  entry: string;
  /** `HEALTH_CHECK_INTERVAL` as requested, in seconds (rounded up to whole minutes). */
  intervalSeconds: number;
  logRetention: logs.RetentionDays;
  reserveConcurrency: boolean;
}

/**
 * The scheduled health check (`functions/health/scheduled-check.ts`), invoked by an EventBridge rule
 * on the default bus every interval, with `HEALTH_CHECK_INTERVAL` set to the same (rounded) interval
 * so that the run's budget matches the schedule. A late event is dropped rather than retried past one
 * interval: the next tick is the retry.
 */
export class HealthSchedule extends Construct {
  readonly fn: GatewayFunction;
  readonly rule: events.Rule;
  /** The interval the rule runs at, in seconds (a whole number of minutes). */
  readonly intervalSeconds: number;

  constructor(scope: Construct, id: string, props: HealthScheduleProps) {
    super(scope, id);
    this.intervalSeconds = effectiveHealthInterval(props.intervalSeconds);
    this.fn = new GatewayFunction(this, 'Function', {
      entry: props.entry,
      description: `Scheduled provider health check, every ${this.intervalSeconds / 60} min`,
      timeout: healthCheckTimeout(this.intervalSeconds),
      logRetention: props.logRetention,
      environment: { HEALTH_CHECK_INTERVAL: String(this.intervalSeconds) },
      ...(props.reserveConcurrency
        ? { reservedConcurrentExecutions: HEALTH_CHECK_RESERVED_CONCURRENCY }
        : {}),
    });
    // Lambda queues the rule's asynchronous invocations; one throttled by the reservation of 1 (a run
    // still going) or failed is worth retrying only until the next tick, never for the default 6 hours.
    const freshFor = Duration.seconds(Math.min(Math.max(60, this.intervalSeconds), 21_600));
    this.fn.function.configureAsyncInvoke({ maxEventAge: freshFor, retryAttempts: 0 });
    this.rule = new events.Rule(this, 'Schedule', {
      description: `Runs the gateway health check every ${this.intervalSeconds / 60} min`,
      schedule: events.Schedule.rate(Duration.minutes(this.intervalSeconds / 60)),
      targets: [
        new targets.LambdaFunction(this.fn.function, {
          retryAttempts: 2,
          maxEventAge: freshFor,
        }),
      ],
    });
  }
}

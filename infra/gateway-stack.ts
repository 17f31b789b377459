import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ROUTES, type Route, routeKey } from '../lib/routes.js';
import { ITEM_PARTITIONS, type ItemKind, keys } from '../lib/store/keys.js';
import { STREAM_CONSUMERS, type StreamConsumer } from '../lib/streams/consumers.js';
import { GatewayAlarms } from './constructs/alarms.js';
import { grantBedrock } from './constructs/bedrock.js';
import { GatewayConsole } from './constructs/console.js';
import { CredentialKey } from './constructs/credential-key.js';
import { GatewayEventBus } from './constructs/event-bus.js';
import { BUFFERED_TIMEOUT, GatewayFunction, MAX_TIMEOUT } from './constructs/gateway-function.js';
import { GatewayTable, TABLE_WRITE_ACTIONS } from './constructs/gateway-table.js';
import { HealthSchedule } from './constructs/health-schedule.js';
import { GatewayRestApi, type ThrottleSettings } from './constructs/rest-api.js';
import { GatewaySecrets } from './constructs/secrets.js';
import { GatewayStreamConsumers } from './constructs/stream-consumers.js';
import { UsageDurability } from './constructs/usage-durability.js';
import { CONSOLE_DIST_DIR, FUNCTIONS_DIR } from './paths.js';
import { constructIdOf, resourceOwners, routeAreas } from './route-areas.js';
import {
  authorizerNeeds,
  consumerNeeds,
  consumerWrites,
  functionsOf,
  type Need,
  REFUSAL_WRITES,
  SCHEDULED_HEALTH_CHECK_WRITES,
  scheduledHealthCheckNeeds,
} from './route-needs.js';

/** The authorizer's handler module, under `functions/`. */
export const AUTHORIZER_FN = 'auth/authorizer';

/** The scheduled health check's handler module, under `functions/`. */
export const SCHEDULED_HEALTH_CHECK_FN = 'health/scheduled-check';

/** The park queue's consumer and the roll-up reconcile, under `functions/`. */
export const PARK_REPLAY_FN = 'durable/park-replay';
export const RECONCILE_FN = 'durable/reconcile';

/** `HEALTH_CHECK_INTERVAL`'s default (seconds), as in `lib/config.ts`. */
export const DEFAULT_HEALTH_CHECK_INTERVAL = 300;

/** Default timeout of streaming routes (function and STREAM integration): a long generation. */
export const DEFAULT_STREAMING_TIMEOUT = Duration.seconds(300);

export interface GatewayStackProps extends StackProps {
  /** Endpoints to build. Default: the route table, `ROUTES`. */
  routes?: readonly Route[];
  /** Stage throttling. Default 50 requests/s steady, bursts of 100. */
  throttle?: ThrottleSettings;
  /** Timeout of streaming routes (function and integration), at most 15 minutes. Default 300 s. */
  streamingTimeout?: Duration;
  /** Retention of function and access logs. Default one month. */
  logRetention?: logs.RetentionDays;
  /** API stage name, the first segment of every URL path. Default `prod`. */
  stageName?: string;
  /** Where alarms notify (e.g. a topic with an email subscription). Default: dashboard only. */
  alarmTopic?: sns.ITopic;
  /**
   * Set the region's API Gateway CloudWatch logging role (needed once per account and region for any
   * API Gateway logging). Default true; false where the account already manages it.
   */
  manageApiGatewayLoggingRole?: boolean;
  /** Stream consumers to build. Default: `STREAM_CONSUMERS`. */
  streamConsumers?: readonly StreamConsumer[];
  /**
   * `HEALTH_CHECK_INTERVAL` in seconds (5 to 86400). EventBridge schedules in whole minutes, at
   * least one, so it is rounded up to the next minute; the function gets the rounded value.
   * Default 300.
   */
  healthCheckInterval?: number;
  /**
   * Reserve concurrency for the stream consumers and the scheduled health check. Default true; set
   * false in an account whose Lambda concurrency quota is low (Lambda keeps 100 unreserved, so a
   * reservation that would leave less fails the deploy; new accounts may start at 10).
   */
  reserveConcurrency?: boolean;
  /** Directory of the route handler modules (`<fn>.ts`). Default: the repository's `functions/`. */
  functionsDir?: string;
  /**
   * The built operator console, served by a CloudFront distribution with the API on the same
   * origin (`ConsoleUrl` output). Default: the repository's `dashboard/dist`; `false` builds no console.
   */
  consoleDir?: string | false;
}

/** The handler module of `fn`; throws naming the routes when it does not exist. */
function entryOf(fn: string, routes: readonly Route[], dir = FUNCTIONS_DIR): string {
  const entry = join(dir, `${fn}.ts`);
  if (!existsSync(entry)) {
    const names = routes.map(routeKey).join(', ') || 'the authorizer';
    throw new Error(`functions/${fn}.ts does not exist (needed by ${names})`);
  }
  return entry;
}

/**
 * The whole gateway: table, keys, secrets, one function per handler module of the route table,
 * the REST API in front of them, alarms and a dashboard. Everything route-shaped is derived from
 * `ROUTES`; a route added there appears here on the next synth, with permissions from its method,
 * tag and access class (`route-needs.ts`).
 *
 * CloudFormation allows 500 resources per template, and each route costs about six (function,
 * role, policy, log group, method, permission). So the route functions, their methods and the API
 * resources only they use live in one nested stack per route area (`route-areas.ts`); the root
 * keeps the REST API, its shared path prefixes, authorizer, deployment and stage, the table, keys,
 * secrets, stream consumers, schedule and alarms. The deployment depends on every area's methods,
 * so `cdk deploy` still deploys the whole API in one go.
 */
export class GatewayStack extends Stack {
  readonly table: GatewayTable;
  readonly credentialKey: CredentialKey;
  readonly secrets: GatewaySecrets;
  readonly restApi: GatewayRestApi;
  readonly authorizer: GatewayFunction;
  readonly eventBus: GatewayEventBus;
  readonly streamConsumers: GatewayStreamConsumers;
  readonly healthSchedule: HealthSchedule;
  readonly usageDurability: UsageDurability;
  /** The console's bucket and distribution (absent with `consoleDir: false`). */
  readonly console?: GatewayConsole;
  /** Route functions by handler module (`fn`). */
  readonly functions = new Map<string, GatewayFunction>();
  /** The nested stack of each route area, by area id (`Providers`, `Ai`, …). */
  readonly areas = new Map<string, NestedStack>();

  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, props);
    const routes = props.routes ?? ROUTES;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const streamingTimeout = props.streamingTimeout ?? DEFAULT_STREAMING_TIMEOUT;
    const reserveConcurrency = props.reserveConcurrency ?? true;
    if (streamingTimeout.toSeconds() > MAX_TIMEOUT.toSeconds()) {
      throw new Error('streamingTimeout may not exceed 15 minutes');
    }

    this.table = new GatewayTable(this, 'Storage');
    this.credentialKey = new CredentialKey(this, 'CredentialKey');
    this.secrets = new GatewaySecrets(this, 'Secrets');
    this.eventBus = new GatewayEventBus(this, 'Events');
    this.usageDurability = new UsageDurability(this, 'UsageDurability', {
      replayEntry: entryOf(PARK_REPLAY_FN, []),
      reconcileEntry: entryOf(RECONCILE_FN, []),
      logRetention,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    // Replay writes what a parked batch holds (usage counters, strict-quota settlements);
    // reconcile rewrites usage roll-ups.
    this.grant(this.usageDurability.replayFn, new Set<Need>(['tableRead']), ['usage', 'quota', 'requestLog']);
    this.grant(this.usageDurability.reconcileFn, new Set<Need>(['tableRead']), ['usage']);

    const areas = routeAreas(routes);
    const areaOfFn = new Map<string, NestedStack>();
    for (const area of areas) {
      const nested = new NestedStack(this, `Area${area.id}`, {
        description: `AI gateway: functions and methods of the ${area.tag} routes`,
      });
      this.areas.set(area.id, nested);
      for (const fn of area.fns) areaOfFn.set(fn, nested);
    }
    const owners = resourceOwners(areas);

    for (const [fn, { routes: served, needs, writes }] of functionsOf(routes)) {
      const streams = served.some((r) => r.streams);
      const gatewayFn = new GatewayFunction(areaOfFn.get(fn)!, `Fn${constructIdOf(fn)}`, {
        entry: entryOf(fn, served, props.functionsDir),
        description: served.map(routeKey).join(', ').slice(0, 256),
        timeout: streams ? streamingTimeout : BUFFERED_TIMEOUT,
        logRetention,
      });
      this.grant(gatewayFn, needs, writes);
      if (served.some((r) => r.access !== 'public')) this.grantRefusalRecords(gatewayFn);
      this.functions.set(fn, gatewayFn);
    }

    this.authorizer = new GatewayFunction(this, `Fn${constructIdOf(AUTHORIZER_FN)}`, {
      entry: entryOf(AUTHORIZER_FN, []),
      description: 'REQUEST authorizer: API key to principal',
      timeout: Duration.seconds(10),
      logRetention,
    });
    this.grant(this.authorizer, authorizerNeeds(), []);
    this.secrets.grantAdminKeyRead(this.authorizer);

    this.streamConsumers = new GatewayStreamConsumers(this, 'Streams', {
      table: this.table.table,
      consumers: props.streamConsumers ?? STREAM_CONSUMERS,
      entryOf: (fn) => entryOf(fn, []),
      idOf: (fn) => `Fn${constructIdOf(fn)}`,
      grant: (consumer, fn) => this.grant(fn, consumerNeeds(consumer), consumerWrites(consumer)),
      logRetention,
      reserveConcurrency,
    });

    this.healthSchedule = new HealthSchedule(this, 'HealthSchedule', {
      entry: entryOf(SCHEDULED_HEALTH_CHECK_FN, []),
      intervalSeconds: props.healthCheckInterval ?? DEFAULT_HEALTH_CHECK_INTERVAL,
      logRetention,
      reserveConcurrency,
    });
    this.grant(this.healthSchedule.fn, scheduledHealthCheckNeeds(), SCHEDULED_HEALTH_CHECK_WRITES);

    this.restApi = new GatewayRestApi(this, 'Http', {
      routes,
      handlerFor: (route) => this.functions.get(route.fn)!.function,
      authorizerHandler: this.authorizer.function,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      streamingTimeout,
      accessLogRetention: logRetention,
      stageName: props.stageName ?? 'prod',
      manageAccountLoggingRole: props.manageApiGatewayLoggingRole ?? true,
      methodScope: (route) => areaOfFn.get(route.fn)!,
      resourceScope: (path) => {
        const owner = owners.get(path);
        return owner === undefined ? undefined : this.areas.get(owner);
      },
    });

    const byName = (entries: Iterable<[string, GatewayFunction]>) =>
      new Map<string, lambda.IFunction>([...entries].map(([fn, f]) => [fn, f.function]));
    new GatewayAlarms(this, 'Monitoring', {
      api: this.restApi.api,
      table: this.table.table,
      functions: byName([
        ...this.functions,
        ...this.streamConsumers.consumers.map(
          ({ consumer, fn }) => [consumer.fn, fn] as [string, GatewayFunction],
        ),
        [SCHEDULED_HEALTH_CHECK_FN, this.healthSchedule.fn],
        [PARK_REPLAY_FN, this.usageDurability.replayFn],
        [RECONCILE_FN, this.usageDurability.reconcileFn],
      ]),
      streamConsumers: this.streamConsumers.consumers.map(({ consumer, fn, failedBatches }) => ({
        name: consumer.fn,
        fn: fn.function,
        failedBatches,
      })),
      throttleOnlyFunctions: byName([[AUTHORIZER_FN, this.authorizer]]),
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });

    const consoleDir = props.consoleDir ?? CONSOLE_DIST_DIR;
    if (consoleDir !== false) {
      this.console = new GatewayConsole(this, 'Console', {
        api: this.restApi.api,
        distDir: consoleDir,
        logRetention,
      });
      new CfnOutput(this, 'ConsoleUrl', {
        value: `https://${this.console.distribution.distributionDomainName}/`,
        description: 'The operator console; the API answers on the same origin (/api/*, /v1/*)',
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.restApi.api.url,
      description: 'Base URL of the gateway API',
    });
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: this.secrets.adminApiKey.secretArn,
      description:
        'Secret holding the first admin API key (aws secretsmanager get-secret-value --secret-id <arn>)',
    });
    new CfnOutput(this, 'CredentialKeyArn', {
      value: this.credentialKey.key.keyArn,
      description: 'KMS key of credential envelopes (CREDENTIAL_KEY_ID for npm run init / rewrap)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.bus.eventBusName,
      description: 'EventBridge bus of quota and incident events (source ai-gateway)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The gateway table' });
  }

  /**
   * Applies each need through its grant helper (which also sets the matching variable). Table writes
   * are the item kinds in `writes` alone: every write action, on items whose partition key has one
   * of their prefixes (`ITEM_PARTITIONS`).
   */
  private grant(fn: GatewayFunction, needs: ReadonlySet<Need>, writes: Iterable<ItemKind>): void {
    if (needs.has('tableRead')) this.table.grantRead(fn);
    const prefixes = [...new Set(writes)].map((kind) => ITEM_PARTITIONS[kind]);
    if (prefixes.length > 0) this.table.grantWriteItems(fn, prefixes, TABLE_WRITE_ACTIONS);
    if (needs.has('apiKeyPepper')) this.secrets.grantPepperRead(fn);
    if (needs.has('credentialEnvelope')) this.credentialKey.grantEnvelope(fn);
    else if (needs.has('credentialDecrypt')) this.credentialKey.grantDecrypt(fn);
    if (needs.has('credentialSecretRef')) this.secrets.grantCredentialSecretRefRead(fn);
    if (needs.has('bedrock')) grantBedrock(fn);
    if (needs.has('events')) this.eventBus.grantPublish(fn);
    if (needs.has('apiKeyLastUsed')) this.table.grantUpdateItems(fn, [keys.apiKeyRecordPrefix()]);
    if (needs.has('usagePark')) this.usageDurability.grantPark(fn);
  }

  /**
   * A route function's security refusals (`lib/audit/refusals.ts`): one conditional `PutItem` per
   * key, minute, reason and route, under `DENIAL#`. The only write a read route's function holds.
   */
  private grantRefusalRecords(fn: GatewayFunction): void {
    const prefixes = REFUSAL_WRITES.map((kind) => ITEM_PARTITIONS[kind]);
    this.table.grantWriteItems(fn, prefixes, ['dynamodb:PutItem']);
  }
}

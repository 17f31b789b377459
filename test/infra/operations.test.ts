import type { CfnElement } from 'aws-cdk-lib';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_INVOKE_ACTIONS } from '../../infra/constructs/bedrock.js';
import {
  effectiveHealthInterval,
  HEALTH_CHECK_RESERVED_CONCURRENCY,
  healthCheckTimeout,
} from '../../infra/constructs/health-schedule.js';
import { BINARY_MEDIA_TYPES } from '../../infra/constructs/rest-api.js';
import {
  CONSUMER_RESERVED_CONCURRENCY,
  FAILED_BATCHES_METRIC_ID,
  MAX_RECORD_AGE,
  maxRecordAgeOf,
} from '../../infra/constructs/stream-consumers.js';
import { functionsOf } from '../../infra/route-needs.js';
import { ROUTES, routeKey } from '../../lib/routes.js';
import { STREAM_CONSUMERS, type StreamConsumer } from '../../lib/streams/consumers.js';
import { type Synthesized, synthGateway } from './synth.js';
import { actionsOf, getAttTargets, refOf, resourcesOf, type Statement } from './template-model.js';

let s: Synthesized;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  s.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const statementsOf = (synth: Synthesized, functionId: string): Statement[] =>
  synth.model.statementsOfRole(synth.model.roleOfFunction(functionId)).filter((st) => st.Effect === 'Allow');
const envOf = (synth: Synthesized, functionId: string): Record<string, unknown> =>
  (
    synth.model.resources[functionId]?.Properties.Environment as
      | { Variables?: Record<string, unknown> }
      | undefined
  )?.Variables ?? {};
/** The mapping whose FunctionName is `functionId`. */
const mappingOf = (synth: Synthesized, functionId: string) => {
  const found = synth.model
    .ofType('AWS::Lambda::EventSourceMapping')
    .filter(([, m]) => refOf(m.Properties.FunctionName) === functionId);
  expect(found, `mappings of ${functionId}`).toHaveLength(1);
  return found[0]![1].Properties;
};

beforeAll(() => {
  s = synthGateway();
}, 300_000);

describe('stream consumers (one per STREAM_CONSUMERS entry)', () => {
  it.each(STREAM_CONSUMERS.map((c) => [c.fn, c] as const))('%s', (_, consumer) => {
    const built = s.stack.streamConsumers.consumers.find((c) => c.consumer.fn === consumer.fn);
    expect(built).toBeDefined();
    const functionId = logicalId(built!.fn.function);
    const destination = built!.failedRecords ?? built!.failureQueue!;
    const destinationId = logicalId(destination);
    const tableId = logicalId(s.stack.table.table);

    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: consumer.startingPosition,
      BatchSize: consumer.batchSize,
      BisectBatchOnFunctionError: consumer.bisectBatchOnFunctionError,
      MaximumRetryAttempts: consumer.maxRetryAttempts,
      MaximumRecordAgeInSeconds: maxRecordAgeOf(consumer).toSeconds(),
      ParallelizationFactor: consumer.parallelizationFactor,
      FunctionResponseTypes: consumer.reportBatchItemFailures ? ['ReportBatchItemFailures'] : Match.absent(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [destinationId, 'Arn'] } } },
      FilterCriteria:
        consumer.filterPatterns.length > 0
          ? { Filters: consumer.filterPatterns.map((p) => ({ Pattern: JSON.stringify(p) })) }
          : Match.absent(),
    });
    const mapping = mappingOf(s, functionId);
    expect(mapping.MaximumBatchingWindowInSeconds ?? 0).toBe(consumer.maxBatchingWindowSeconds);
    // The handler's partial batch responses are only honoured with this response type.
    expect(consumer.bisectBatchOnFunctionError && consumer.reportBatchItemFailures).toBe(true);

    const statements = statementsOf(s, functionId);
    const on = (action: string) => statements.filter((st) => actionsOf(st).includes(action));
    if (consumer.keepsFailedRecords) {
      // A private, encrypted, TLS-only bucket of whole failed batches, counted by a metrics filter.
      expect(built!.failureQueue).toBeUndefined();
      expect(s.model.resources[destinationId]?.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        MetricsConfigurations: [{ Id: FAILED_BATCHES_METRIC_ID }],
      });
      // Lambda writes failed batches there; the function may neither read nor delete them.
      expect(JSON.stringify(on('s3:PutObject').flatMap(resourcesOf))).toContain(destinationId);
      const s3Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
      expect(s3Actions.sort()).toEqual(['s3:ListBucket', 's3:PutObject']);
    } else {
      // Encrypted, TLS-only failure queue that keeps failures for SQS's maximum.
      expect(s.model.resources[destinationId]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: destinationId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      expect(on('sqs:SendMessage').flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [destinationId, 'Arn'] }]);
    }
    for (const action of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream'])
      expect(on(action).flatMap(resourcesOf), action).toEqual([{ 'Fn::GetAtt': [tableId, 'StreamArn'] }]);
    expect(envOf(s, functionId).TABLE_NAME).toEqual({ Ref: tableId });

    expect(s.model.resources[functionId]?.Properties.ReservedConcurrentExecutions).toBe(
      CONSUMER_RESERVED_CONCURRENCY,
    );

    // An iterator-age alarm on the mapping's function and an alarm on anything its destination received.
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Threshold: 60_000,
    });
    s.template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      consumer.keepsFailedRecords
        ? {
            MetricName: 'PutRequests',
            Namespace: 'AWS/S3',
            Dimensions: Match.arrayWith([
              { Name: 'BucketName', Value: { Ref: destinationId } },
              { Name: 'FilterId', Value: FAILED_BATCHES_METRIC_ID },
            ]),
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          }
        : {
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Namespace: 'AWS/SQS',
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [destinationId, 'QueueName'] } }],
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          },
    );
  });

  it('lets the quota enforcer publish to the event bus', () => {
    const enforcer = s.stack.streamConsumers.consumers.find(
      (c) => c.consumer.fn === 'streams/quota-enforcer',
    );
    const functionId = logicalId(enforcer!.fn.function);
    expect(envOf(s, functionId).EVENT_BUS_NAME).toEqual({ Ref: logicalId(s.stack.eventBus.bus) });
  });

  it('gives up on a record only an hour before the stream’s 24-hour retention would drop it', () => {
    expect(MAX_RECORD_AGE.toSeconds()).toBe(23 * 3600);
    const own = { ...STREAM_CONSUMERS[0]!, maxRecordAgeSeconds: 600 } as StreamConsumer;
    expect(maxRecordAgeOf(own).toSeconds()).toBe(600);
  });

  it('builds one mapping per consumer and nothing else on the stream', () => {
    const tableId = logicalId(s.stack.table.table);
    const onStream = s.model
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(
        ([, m]) =>
          JSON.stringify(m.Properties.EventSourceArn) ===
          JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] }),
      );
    expect(onStream).toHaveLength(STREAM_CONSUMERS.length);
  });
});

describe('scheduled health check', () => {
  it('runs every 5 minutes by default, with the interval and a matching timeout on the function', () => {
    const functionId = logicalId(s.stack.healthSchedule.fn.function);
    const target = new Capture();
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ Arn: target, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
      ],
    });
    expect(getAttTargets(target.asObject())).toEqual([functionId]);
    const fn = s.model.resources[functionId]!.Properties;
    expect(envOf(s, functionId).HEALTH_CHECK_INTERVAL).toBe('300');
    expect(fn.Timeout).toBe(300);
    expect(fn.ReservedConcurrentExecutions).toBe(HEALTH_CHECK_RESERVED_CONCURRENCY);
    // A run delayed past the next tick is dropped, not retried for Lambda's default 6 hours.
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumEventAgeInSeconds: 300,
      MaximumRetryAttempts: 0,
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
    });
  });

  it('may probe providers with their credentials, write the table and publish incidents', () => {
    const functionId = logicalId(s.stack.healthSchedule.fn.function);
    const statements = statementsOf(s, functionId);
    const actions = new Set(statements.flatMap(actionsOf));
    for (const a of [
      ...BEDROCK_INVOKE_ACTIONS,
      'bedrock:ListAsyncInvokes',
      'kms:Decrypt',
      'dynamodb:PutItem',
    ])
      expect(actions, a).toContain(a);
    // Unwraps credential data keys, never makes them.
    const credentialKeyId = logicalId(s.stack.credentialKey.key);
    const onCredentialKey = statements.filter((st) => getAttTargets(st.Resource).includes(credentialKeyId));
    expect(onCredentialKey.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
    const env = envOf(s, functionId);
    expect(env.CREDENTIAL_KEY_ID).toBeDefined();
    expect(env.EVENT_BUS_NAME).toBeDefined();
  });

  it('rounds the interval up to whole minutes, one at least, and caps the timeout at 15 minutes', () => {
    expect(effectiveHealthInterval(300)).toBe(300);
    expect(effectiveHealthInterval(5)).toBe(60);
    expect(effectiveHealthInterval(61)).toBe(120);
    expect(effectiveHealthInterval(86_400)).toBe(86_400);
    expect(healthCheckTimeout(60).toSeconds()).toBe(60);
    expect(healthCheckTimeout(3_600).toSeconds()).toBe(900);
    for (const bad of [4, 86_401, 1.5, Number.NaN])
      expect(() => effectiveHealthInterval(bad)).toThrow(/healthCheckInterval/);
  });
});

describe('event bus', () => {
  it('has one bus; only the publishers get EVENT_BUS_NAME and events:PutEvents, on that bus only', () => {
    s.template.resourceCountIs('AWS::Events::EventBus', 1);
    const busId = logicalId(s.stack.eventBus.bus);
    const publishers = s.model
      .ofType('AWS::Lambda::Function')
      .filter(([id]) => envOf(s, id).EVENT_BUS_NAME !== undefined)
      .map(([id]) => id)
      .sort();
    const expected = [
      ...[
        'POST /api/providers/{id}/incidents',
        'PATCH /api/incidents/{id}',
        'POST /api/providers/{id}/health-check',
        // A quota's create and update evaluate its window, which may announce a crossing or threshold.
        'POST /api/quotas',
        'PATCH /api/quotas/{id}',
      ].map((key) => logicalId(s.stack.functions.get(ROUTES.find((r) => routeKey(r) === key)!.fn)!.function)),
      logicalId(s.stack.healthSchedule.fn.function),
      logicalId(
        s.stack.streamConsumers.consumers.find((c) => c.consumer.fn === 'streams/quota-enforcer')!.fn
          .function,
      ),
    ].sort();
    expect(publishers).toEqual(expected);
    for (const [id] of s.model.ofType('AWS::Lambda::Function')) {
      const puts = statementsOf(s, id).filter((st) => actionsOf(st).some((a) => a.startsWith('events:')));
      expect(puts.flatMap(actionsOf), id).toEqual(publishers.includes(id) ? ['events:PutEvents'] : []);
      for (const st of puts) expect(resourcesOf(st)).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
      if (publishers.includes(id)) expect(envOf(s, id).EVENT_BUS_NAME).toEqual({ Ref: busId });
    }
    s.template.hasOutput('EventBusName', { Value: { Ref: busId } });
    s.template.hasOutput('CredentialKeyArn', {
      Value: { 'Fn::GetAtt': [logicalId(s.stack.credentialKey.key), 'Arn'] },
    });
  });
});

describe('Bedrock', () => {
  it('lets the AI functions and the health checks call Bedrock on models and inference profiles only', () => {
    const bedrockFns = [...functionsOf(ROUTES)]
      .filter(([, e]) => e.routes.some((r) => r.uses?.includes('bedrock')))
      .map(([fn]) => fn);
    expect(bedrockFns).toEqual(
      expect.arrayContaining(['ai/chat', 'ai/messages', 'ai/embeddings', 'health/check']),
    );
    for (const fn of bedrockFns) {
      const functionId = logicalId(s.stack.functions.get(fn)!.function);
      const invoke = statementsOf(s, functionId).filter((st) =>
        actionsOf(st).includes('bedrock:InvokeModel'),
      );
      expect(invoke, fn).toHaveLength(1);
      expect(actionsOf(invoke[0]!).sort()).toEqual([...BEDROCK_INVOKE_ACTIONS].sort());
      const resources = JSON.stringify(resourcesOf(invoke[0]!));
      expect(resources).toContain('::foundation-model/*');
      expect(resources).toContain(':inference-profile/*');
      expect(resourcesOf(invoke[0]!)).not.toContain('*');
    }
  });
});

describe('REST API media types', () => {
  it('passes audio, octet streams and multipart bodies as binary', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: Match.arrayWith([...BINARY_MEDIA_TYPES]),
    });
    expect(BINARY_MEDIA_TYPES).toEqual(['audio/*', 'application/octet-stream', 'multipart/form-data']);
  });
});

describe('stack props: consumers from the list, interval, concurrency', () => {
  // A second consumer without filters, as the audit writer will be: it reuses an existing module.
  const extra: StreamConsumer = {
    fn: 'health/history',
    batchSize: 10,
    maxBatchingWindowSeconds: 5,
    maxRetryAttempts: 3,
    bisectBatchOnFunctionError: true,
    reportBatchItemFailures: true,
    parallelizationFactor: 2,
    startingPosition: 'TRIM_HORIZON',
    filterPatterns: [],
    writes: ['healthCheck'],
  };
  let t: Synthesized;
  beforeAll(() => {
    t = synthGateway({
      streamConsumers: [...STREAM_CONSUMERS, extra],
      healthCheckInterval: 90,
      reserveConcurrency: false,
      manageApiGatewayLoggingRole: false,
    });
  }, 300_000);

  it('builds a mapping for every listed consumer, without filter criteria when it has none', () => {
    // + 1 listed consumer, + the usage park queue's consumer
    t.template.resourceCountIs('AWS::Lambda::EventSourceMapping', STREAM_CONSUMERS.length + 2);
    t.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRetryAttempts: 3,
      ParallelizationFactor: 2,
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: Match.absent(),
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    // A queue of coordinates per consumer (+ 1 listed) but those that keep whole batches in a
    // bucket, the usage park queue and its dead-letter queue.
    const keeping = STREAM_CONSUMERS.filter((c) => c.keepsFailedRecords).length;
    t.template.resourceCountIs('AWS::SQS::Queue', STREAM_CONSUMERS.length + 1 - keeping + 2);
    t.template.resourceCountIs('AWS::S3::Bucket', keeping + 1); // + the console's files
  });

  it('rounds 90 s up to a 2-minute schedule and tells the function 120', () => {
    t.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
    const functionId = t.stack.getLogicalId(
      t.stack.healthSchedule.fn.function.node.defaultChild as CfnElement,
    );
    expect(envOf(t, functionId).HEALTH_CHECK_INTERVAL).toBe('120');
    expect(t.model.resources[functionId]?.Properties.Timeout).toBe(120);
  });

  it('reserves no concurrency when asked not to', () => {
    for (const [id, fn] of t.model.ofType('AWS::Lambda::Function'))
      expect(fn.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
  });

  it('refuses an interval outside HEALTH_CHECK_INTERVAL’s bounds', () => {
    expect(() => synthGateway({ healthCheckInterval: 2 })).toThrow(/healthCheckInterval/);
  });
});

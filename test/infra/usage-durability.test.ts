import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PARK_MAX_RECEIVES,
  PARK_REPLAY_TIMEOUT,
  RECONCILE_TIMEOUT,
} from '../../infra/constructs/usage-durability.js';
import { functionsOf } from '../../infra/route-needs.js';
import { ROUTES } from '../../lib/routes.js';
import { inspect, type Synthesized, synthGateway } from './synth.js';
import { actionsOf, resourcesOf } from './template-model.js';

/**
 * The stack's part of usage durability: the park queue with its own dead-letter queue, the replay
 * consumer, the alarms on anything parked, the daily reconcile, and which functions may park.
 */

let s: Synthesized;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let statementsOf: ReturnType<typeof inspect>['allowedOf'];
let envOf: ReturnType<typeof inspect>['envOf'];

beforeAll(() => {
  s = synthGateway();
  ({ logicalId, allowedOf: statementsOf, envOf } = inspect(s));
}, 300_000);

describe('usage durability in the stack', () => {
  it('parks on an encrypted queue whose dead-letter queue takes a record after 10 receives', () => {
    const park = s.stack.usageDurability;
    const dlqId = logicalId(park.deadLetters);
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
      VisibilityTimeout: PARK_REPLAY_TIMEOUT.toSeconds() * 6,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: PARK_MAX_RECEIVES,
      },
    });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(park.parkQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('replays the park queue with partial batch responses, and lets the replay write the table', () => {
    const park = s.stack.usageDurability;
    const replayId = logicalId(park.replayFn.function);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: replayId },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(park.parkQueue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    const actions = statementsOf(replayId).flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:UpdateItem', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    );
    expect(actions).not.toContain('sqs:SendMessage');
  });

  it('gives every AI function, and only those, sqs:SendMessage on the park queue and its URL', () => {
    const queueId = logicalId(s.stack.usageDurability.parkQueue);
    const invokeFns = [...functionsOf(ROUTES)]
      .filter(([, { routes }]) => routes.some((r) => r.access === 'invoke'))
      .map(([fn]) => logicalId(s.stack.functions.get(fn)!.function))
      .sort();
    expect(invokeFns.length).toBeGreaterThan(5);
    const parkers = s.model
      .ofType('AWS::Lambda::Function')
      .filter(([id]) => envOf(id).DURABLE_PARK_QUEUE_URL !== undefined)
      .map(([id]) => id)
      .sort();
    expect(parkers).toEqual(invokeFns);
    for (const [id] of s.model.ofType('AWS::Lambda::Function')) {
      const sends = statementsOf(id).filter((st) =>
        actionsOf(st).some((a) => a.startsWith('sqs:SendMessage')),
      );
      if (!parkers.includes(id)) {
        expect(
          sends.filter((st) => JSON.stringify(resourcesOf(st)).includes(queueId)),
          id,
        ).toEqual([]);
        continue;
      }
      expect(envOf(id).DURABLE_PARK_QUEUE_URL).toEqual({ Ref: queueId });
      expect(sends.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    }
  });

  it('raises an alarm as soon as anything is parked, and when anything reaches the dead-letter queue', () => {
    const park = s.stack.usageDurability;
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfMessagesSent',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(park.parkQueue), 'QueueName'] } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(park.deadLetters), 'QueueName'] } },
      ],
      Threshold: 1,
    });
  });

  it('reconciles the roll-ups every day with a function that may read and write the table', () => {
    const park = s.stack.usageDurability;
    const reconcileId = logicalId(park.reconcileFn.function);
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(20 3 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcileId, 'Arn'] } })],
    });
    expect(s.model.resources[reconcileId]?.Properties.Timeout).toBe(RECONCILE_TIMEOUT.toSeconds());
    const actions = statementsOf(reconcileId).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']));
  });
});

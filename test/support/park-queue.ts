/**
 * The park queue in AWS terms, for tests: a Lambda-like instance whose park queue's SQS client is
 * mocked (aws-sdk-client-mock: no local SQS), and the SQS events Lambda would deliver to the
 * park-replay function for what was sent.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsParkQueue } from '../../lib/aws/park-queue.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { siblingOf } from './instances.js';

/** Every SQS client of the test file, mocked (reset it after each test). */
export const sqs = mockClient(SQSClient);

/** An AWS-like instance: what a Lambda container is, with its park queue's client mocked. */
export function lambdaInstance(deps: Gateway): Gateway {
  return siblingOf(deps, {
    parkQueue: sqsParkQueue({
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/000000000000/usage-park',
      region: 'eu-west-1',
      client: new SQSClient({ region: 'eu-west-1' }),
    }),
  });
}

/** One message as Lambda delivers it from the park queue. */
export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `r-${messageId}`,
    body,
    attributes: {} as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:usage-park',
    awsRegion: 'eu-west-1',
  };
}

/** The SQS event Lambda would deliver for the messages sent so far. */
export function deliveredMessages(): SQSEvent {
  return {
    Records: sqs
      .commandCalls(SendMessageCommand)
      .map((call, i) => sqsRecord(`m-${i}`, String(call.args[0].input.MessageBody))),
  };
}

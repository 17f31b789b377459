import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CapturedChange } from './capture.js';

/** Where the records say they come from. */
export interface StreamIdentity {
  region: string;
  accountId: string;
  /** The stream label (an ISO timestamp in AWS). */
  label: string;
}

/** The stream ARN of a table, as AWS spells it. */
export function streamArn(tableName: string, id: StreamIdentity): string {
  return `arn:aws:dynamodb:${id.region}:${id.accountId}:table/${tableName}/stream/${id.label}`;
}

/**
 * A captured change in the exact shape Lambda delivers a DynamoDB stream record with
 * NEW_AND_OLD_IMAGES: INSERT carries NewImage, REMOVE OldImage, MODIFY both; a TTL delete carries
 * `userIdentity { type: 'Service', principalId: 'dynamodb.amazonaws.com' }`.
 */
export function toStreamRecord(change: CapturedChange, id: StreamIdentity): DynamoDBRecord {
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {
    ApproximateCreationDateTime: Math.floor(change.atMs / 1000),
    Keys: change.keys,
    ...(change.newImage ? { NewImage: change.newImage } : {}),
    ...(change.oldImage ? { OldImage: change.oldImage } : {}),
    SequenceNumber: change.sequenceNumber,
    SizeBytes: 0,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  };
  dynamodb.SizeBytes = Buffer.byteLength(
    JSON.stringify([change.keys, change.newImage ?? null, change.oldImage ?? null]),
  );
  return {
    eventID: randomUUID().replace(/-/g, ''),
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: id.region,
    dynamodb,
    eventSourceARN: streamArn(change.tableName, id),
    ...(change.service ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}

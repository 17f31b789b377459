import {
  DynamoDBClient,
  DynamoDBServiceException,
  ReplicatedWriteConflictException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../lib/errors.js';
import { createStoreClients } from '../../../lib/store/client.js';
import { Table } from '../../../lib/store/table.js';
import { buildUpdate } from '../../../lib/store/update-expression.js';
import { throttlingError } from '../../support/store.js';

// No database: both clients' `send` are mocked, so nothing leaves the process.
const sdk = mockClient(DynamoDBDocumentClient);
const low = mockClient(DynamoDBClient);
const table = new Table(
  createStoreClients({ AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
  'gw',
);
const KEY = { pk: 'P', sk: 'S' };

beforeEach(() => {
  sdk.reset();
  low.reset();
});
afterAll(() => {
  sdk.restore();
  low.restore();
  table.close();
});

describe('store: update expressions', () => {
  it('escapes every attribute name, skips undefined values and keeps the clauses in order', () => {
    const built = buildUpdate(
      { set: { state: 'open', gone: undefined }, setIfAbsent: { first: 1 }, add: { n: 2 }, remove: ['ttl'] },
      { names: { '#s': 'state' }, values: { ':v': 3 } },
    );
    expect(built.expression).toBe('SET #u0 = :u0, #u1 = if_not_exists(#u1, :u1) ADD #u2 :u2 REMOVE #u3');
    expect(built.names).toEqual({ '#u0': 'state', '#u1': 'first', '#u2': 'n', '#u3': 'ttl', '#s': 'state' });
    expect(built.values).toEqual({ ':u0': 'open', ':u1': 1, ':u2': 2, ':v': 3 });
  });

  it('refuses a caller placeholder that collides with a generated one, and an empty update', () => {
    expect(() => buildUpdate({ set: { a: 1 } }, { values: { ':u0': 2 } })).toThrow(/reserved/);
    expect(() => buildUpdate({ set: { a: undefined } })).toThrow(/at least one clause/);
  });
});

describe('store: conditional update outcomes', () => {
  it('reports a refused condition as not applied, and the new item when applied', async () => {
    const refused = new DynamoDBServiceException({
      name: 'ConditionalCheckFailedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    sdk
      .on(UpdateCommand)
      .rejectsOnce(refused)
      .resolves({ Attributes: { ...KEY, n: 1 } });
    const input = {
      key: KEY,
      add: { n: 1 },
      condition: 'attribute_exists(pk)',
      returnValues: 'ALL_NEW',
    } as const;
    expect(await table.update(input)).toEqual({ applied: false });
    expect(await table.update(input)).toEqual({ applied: true, item: { ...KEY, n: 1 } });
    expect(sdk.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'gw',
      UpdateExpression: 'ADD #u0 :u0',
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it('sends counters with only scalar values pre-marshalled, and anything else as documents', async () => {
    low.on(UpdateItemCommand).resolves({});
    sdk.on(UpdateCommand).resolves({});
    await table.update({ key: KEY, add: { n: 2 }, set: { who: 'me', gone: null, on: true }, remove: ['x'] });
    expect(low.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: 'gw',
      Key: { pk: { S: 'P' }, sk: { S: 'S' } },
      UpdateExpression: 'SET #u0 = :u0, #u1 = :u1, #u2 = :u2 ADD #u3 :u3 REMOVE #u4',
      ExpressionAttributeNames: { '#u0': 'who', '#u1': 'gone', '#u2': 'on', '#u3': 'n', '#u4': 'x' },
      ExpressionAttributeValues: {
        ':u0': { S: 'me' },
        ':u1': { NULL: true },
        ':u2': { BOOL: true },
        ':u3': { N: '2' },
      },
    });
    await table.update({ key: KEY, set: { hold: { amount: 1 } } });
    await table.update({ key: KEY, add: { n: 2 ** 60 } }); // not a safe number: the document client refuses it
    expect(sdk.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':u0': { amount: 1 } },
      { ':u0': 2 ** 60 },
    ]);
    expect(low.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('turns throttling and modelled retryable faults into a 503, and leaves others as they are', async () => {
    const conflict = new ReplicatedWriteConflictException({
      $metadata: { httpStatusCode: 400 },
      message: 'conflict',
    });
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    low.on(UpdateItemCommand).rejectsOnce(throttlingError()).rejectsOnce(conflict).rejectsOnce(timeout);
    const update = () => table.update({ key: KEY, add: { n: 1 } });
    await expect(update()).rejects.toMatchObject({ statusCode: 503, code: 'storage_throttled' });
    await expect(update()).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(update()).rejects.toBe(timeout);
  });
});

describe('store: batch writes', () => {
  const writes = Array.from({ length: 60 }, (_, i) => ({ put: { pk: 'B', sk: `i${i}` } }));

  it('writes in chunks of 25 and resends what DynamoDB left unprocessed', async () => {
    const leftOver = [{ PutRequest: { Item: { pk: 'B', sk: 'i3' } } }];
    sdk
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { gw: leftOver } })
      .resolves({});
    await table.batchWrite(writes);
    const sent = sdk.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.gw?.length);
    expect(sent).toEqual([25, 1, 25, 10]);
  });

  it('gives up with a 503 when requests stay unprocessed', async () => {
    const stuck = [{ DeleteRequest: { Key: KEY } }];
    sdk.on(BatchWriteCommand).resolves({ UnprocessedItems: { gw: stuck } });
    await expect(table.batchWrite([{ delete: KEY }])).rejects.toMatchObject({
      statusCode: 503,
      code: 'storage_throttled',
    });
    expect(sdk.commandCalls(BatchWriteCommand)).toHaveLength(6);
  });
});

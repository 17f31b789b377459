import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../lib/store/table.js';
import type { StreamConsumer } from '../../lib/streams/consumers.js';
import type { LocalStreams } from '../../local/change-stream/index.js';
import { openRawStore } from '../support/store.js';
import { startUsageGateway, type UsageGateway } from './usage-fixtures.js';

const T0 = Date.parse('2031-07-01T08:00:00.000Z');

let t: UsageGateway;
let streams: LocalStreams;
const table = () => t.deps.table;

/** A consumer of `TEST#<name>` items whose handler the test writes. */
function consumer(
  name: string,
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>,
  over: Partial<StreamConsumer> = {},
) {
  const batches: DynamoDBRecord[][] = [];
  streams.addConsumer(
    {
      fn: `test/${name}`,
      batchSize: 100,
      maxBatchingWindowSeconds: 0,
      maxRetryAttempts: 2,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      parallelizationFactor: 1,
      startingPosition: 'LATEST',
      filterPatterns: [{ dynamodb: { Keys: { pk: { S: [{ prefix: `TEST#${name}` }] } } } }],
      ...over,
    },
    async (event) => {
      batches.push(event.Records);
      return handler(event);
    },
  );
  return batches;
}

const put = (item: Item) => table().put(item);

beforeAll(async () => {
  t = await startUsageGateway(T0);
  streams = t.gw.runtime.streams!;
});

afterAll(async () => {
  await t.stop();
});

describe('local change stream: real DynamoDBStreamEvent records', () => {
  it('delivers INSERT, MODIFY and REMOVE with the shape Lambda sends', async () => {
    const batches = consumer('shape', async () => undefined);
    await put({ pk: 'TEST#shape', sk: 'a', n: 1, gsi1pk: 'TEST_INDEX', gsi1sk: 'a' });
    await table().update({ key: { pk: 'TEST#shape', sk: 'a' }, add: { n: 1 } });
    await put({ pk: 'TEST#shape', sk: 'a', n: 2, gsi1pk: 'TEST_INDEX', gsi1sk: 'a' }); // changes nothing: no record
    await table().delete({ pk: 'TEST#shape', sk: 'a' });
    await table().delete({ pk: 'TEST#shape', sk: 'never' });
    await t.settle();
    const records = batches.flat();
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    expect(insert).toEqual({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'TEST#shape' }, sk: { S: 'a' } },
        NewImage: {
          pk: { S: 'TEST#shape' },
          sk: { S: 'a' },
          n: { N: '1' },
          gsi1pk: { S: 'TEST_INDEX' },
          gsi1sk: { S: 'a' },
        },
        SequenceNumber: expect.stringMatching(/^\d{21}$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: expect.stringMatching(
        /^arn:aws:dynamodb:us-east-1:\d{12}:table\/gateway\/stream\/2031-07-01T08:00:/,
      ),
    });
    expect(Math.abs(Number(insert.dynamodb?.ApproximateCreationDateTime) - T0 / 1000)).toBeLessThan(60);
    expect(modify.dynamodb).toMatchObject({ OldImage: { n: { N: '1' } }, NewImage: { n: { N: '2' } } });
    expect(remove.dynamodb?.OldImage).toMatchObject({ n: { N: '2' } });
    expect(remove.dynamodb?.NewImage).toBeUndefined();
    expect(remove.userIdentity).toBeUndefined();
    const seqs = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
  });

  it('batches up to batchSize, in order per partition key, BatchWriteItem included', async () => {
    const batches = consumer('batch', async () => undefined, { batchSize: 3, maxBatchingWindowSeconds: 0.2 });
    await table().batchWrite(
      Array.from({ length: 8 }, (_, i) => ({ put: { pk: 'TEST#batch', sk: `i${i}` } })),
    );
    await t.settle();
    expect(batches.map((b) => b.length)).toEqual([3, 3, 2]);
    expect(batches.flat().every((r) => r.eventName === 'INSERT')).toBe(true);
  });

  it('retries from the first reported failure, and not the records before it', async () => {
    let failOnce = true;
    const batches = consumer(
      'partial',
      async (event) => {
        const second = event.Records[1]?.dynamodb?.SequenceNumber;
        if (failOnce && second) {
          failOnce = false;
          return { batchItemFailures: [{ itemIdentifier: second }] };
        }
        return { batchItemFailures: [] };
      },
      { maxBatchingWindowSeconds: 0.2 },
    );
    for (let i = 0; i < 4; i++) await put({ pk: 'TEST#partial', sk: `p${i}` });
    await t.settle();
    expect(batches.map((b) => b.map((r) => r.dynamodb?.Keys?.sk?.S))).toEqual([
      ['p0', 'p1', 'p2', 'p3'],
      ['p1', 'p2', 'p3'],
    ]);
  });

  it('bisects a throwing batch, isolates the poison record and sends it to the on-failure destination', async () => {
    const delivered: string[] = [];
    consumer(
      'poison',
      async (event) => {
        if (event.Records.some((r) => r.dynamodb?.Keys?.sk?.S === 'bad')) throw new Error('poison');
        delivered.push(...event.Records.map((r) => String(r.dynamodb?.Keys?.sk?.S)));
        return undefined;
      },
      { maxBatchingWindowSeconds: 0.2 },
    );
    for (const sk of ['g1', 'g2', 'bad', 'g3']) await put({ pk: 'TEST#poison', sk });
    await t.settle();
    expect(delivered.sort()).toEqual(['g1', 'g2', 'g3']);
    const failed = streams.failures().filter((f) => f.consumer === 'test/poison');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      batchSize: 1,
      reason: 'function error',
    });
  });

  it('sweeps expired items as TTL does: REMOVE by the DynamoDB service, index entries gone', async () => {
    const batches = consumer('ttl', async () => undefined);
    const nowS = Math.floor(t.clock.now() / 1000);
    await put({ pk: 'TEST#ttl', sk: 'old', ttl: nowS - 10, gsi1pk: 'TEST_TTL', gsi1sk: 'old' });
    await put({ pk: 'TEST#ttl', sk: 'fresh', ttl: nowS + 3600 });
    await put({ pk: 'TEST#ttl', sk: 'ancient', ttl: nowS - 6 * 365 * 86_400 }); // AWS ignores TTLs > 5 years old
    expect(await streams.sweepNow()).toBe(1);
    await t.settle();
    const removes = batches.flat().filter((r) => r.eventName === 'REMOVE');
    expect(removes).toHaveLength(1);
    expect(removes[0]).toMatchObject({
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: {
        Keys: { pk: { S: 'TEST#ttl' }, sk: { S: 'old' } },
        OldImage: { ttl: { N: String(nowS - 10) } },
      },
    });
    expect(await table().queryAll({ index: 'gsi1', partition: 'TEST_TTL' })).toEqual([]);
    // Read past the gateway's TTL filter: the items themselves must still be there.
    const store = openRawStore(t.deps.config);
    const raw = (sk: string) => store.get({ pk: 'TEST#ttl', sk });
    expect(await raw('old')).toBeUndefined();
    expect(await raw('fresh')).toBeDefined();
    expect(await raw('ancient')).toBeDefined();
    store.close();
    t.clock.advance(2 * 3600_000);
    expect(await streams.sweepNow()).toBe(1);
  });
});

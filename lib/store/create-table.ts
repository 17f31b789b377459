import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { logger } from '../observability.js';
import { TABLE_SCHEMA } from './table-schema.js';

/** Seconds to wait for a created table to become ACTIVE (dynalite: at once; DynamoDB: seconds). */
const ACTIVE_WITHIN_S = 60;

/**
 * Creates the gateway's table exactly as the stack defines it (`TABLE_SCHEMA`: keys, the GSIs,
 * the stream), unless it exists, and waits until it is ACTIVE. For the local runtime and tools on
 * another DynamoDB (`DYNAMODB_ENDPOINT`); in AWS the stack owns the table.
 *
 * @throws Error when the table is not ACTIVE within a minute; the SDK's errors as they are.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  if (await tableStatus(client, tableName)) {
    await warnOfMissingIndexes(client, tableName);
    return 'exists';
  }
  const keyAttrs = [
    TABLE_SCHEMA.partitionKey,
    TABLE_SCHEMA.sortKey,
    ...TABLE_SCHEMA.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyAttrs.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_SCHEMA.streamView },
    }),
  );
  for (let waited = 0; (await tableStatus(client, tableName)) !== 'ACTIVE'; waited += 1) {
    if (waited >= ACTIVE_WITHIN_S) throw new Error(`table ${tableName} did not become ACTIVE within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return 'created';
}

/** The table's status, or undefined when it does not exist. */
async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus ?? 'ACTIVE';
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * A table created before an index was added to the schema lacks it (dynalite cannot add one): the
 * reads that need it would fail. Says so at start, naming the indexes, instead of failing later.
 */
async function warnOfMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((out.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  const missing = TABLE_SCHEMA.globalSecondaryIndexes.filter((g) => !present.has(g.indexName));
  if (missing.length > 0) {
    logger.warn('the table lacks indexes of the current schema; views that need them will fail', {
      table: tableName,
      missing: missing.map((g) => g.indexName),
    });
  }
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { unixEndpoint } from '../lib/store/client.js';
import type { DynamoDbClient } from '../lib/store/dynamodb-client.js';
import { TABLE_SCHEMA } from '../lib/store/table-schema.js';
import type { ChangeCapture } from './change-stream/capture.js';
import { listenPrivately } from './store-socket.js';

/** A running embedded DynamoDB: where it listens and how to stop it (flushing LevelDB). */
export interface EmbeddedDynamo {
  /** Its `DYNAMODB_ENDPOINT`: `unix:<socketPath>`. */
  endpoint: string;
  /** The Unix socket it listens on (mode 0600, in a folder of mode 0700). */
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a private Unix socket (see `store-socket.ts`), never on a TCP port: dynalite
 * checks no signature. With `dataDir` it persists under `<dataDir>/dynamodb` (a restart keeps the
 * data) and listens on `<dataDir>/sock/dynamodb.sock`; without, it is in memory (tests) on a socket
 * in a temporary folder. Fails when another process already serves that data folder's socket.
 */
export async function startEmbeddedDynamo(
  options: { dataDir?: string; capture?: ChangeCapture } = {},
): Promise<EmbeddedDynamo> {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const start = () => dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // With a capture, every item write is recorded for the local change stream (local/change-stream).
  const create = () => (options.capture ? options.capture.install(start) : start());
  const listener = await listenPrivately(create, options.dataDir);
  return {
    endpoint: unixEndpoint(listener.socketPath),
    socketPath: listener.socketPath,
    close: () => listener.close(),
  };
}

/**
 * Creates the gateway's table exactly as the stack defines it (keys, both GSIs), unless it
 * exists. Works against any DynamoDB endpoint (`DYNAMODB_ENDPOINT`).
 */
export async function ensureTable(client: DynamoDbClient, tableName: string): Promise<'created' | 'exists'> {
  if (await tableStatus(client, tableName)) return 'exists';
  const keyAttrs = [
    TABLE_SCHEMA.partitionKey,
    TABLE_SCHEMA.sortKey,
    ...TABLE_SCHEMA.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  await client.call('CreateTable', {
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
  });
  // dynalite makes tables ACTIVE at once; a real endpoint may take seconds.
  for (let waited = 0; (await tableStatus(client, tableName)) !== 'ACTIVE'; waited += 1) {
    if (waited >= 60) throw new Error(`table ${tableName} did not become ACTIVE within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return 'created';
}

/** The table's status, or undefined when it does not exist. */
async function tableStatus(client: DynamoDbClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.call<{ Table?: { TableStatus?: string } }>('DescribeTable', {
      TableName: tableName,
    });
    return out.Table?.TableStatus ?? 'ACTIVE';
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

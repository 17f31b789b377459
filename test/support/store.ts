/**
 * Test access to DynamoDB past `Table`, through the AWS SDK directly (tests may; the gateway's own
 * code may not): raw reads and scans of the table, and faults injected into the SDK's clients with
 * aws-sdk-client-mock for what no local store can produce (throttling, access denied, a missing
 * table, an ambiguous failure).
 */
import {
  DynamoDBClient,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { Config } from '../../lib/config.js';
import { createStoreClients } from '../../lib/store/client.js';
import type { ItemKey } from '../../lib/store/keys.js';
import type { Item } from '../../lib/store/table.js';

/** Reads of the gateway's table that `Table` does not offer: every item, and items whatever their TTL. */
export interface RawStore {
  /** Every item of the table (all pages), optionally filtered by DynamoDB. */
  scan(filter?: Pick<ScanCommandInput, 'FilterExpression' | 'ExpressionAttributeValues'>): Promise<Item[]>;
  /** One item as stored, expired or not. */
  get(key: ItemKey): Promise<Item | undefined>;
  close(): void;
}

/** Opens a client of its own on the gateway's table (same endpoint and region). */
export function openRawStore(
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT' | 'TABLE_NAME'>,
): RawStore {
  const { document } = createStoreClients(config);
  const TableName = config.TABLE_NAME;
  return {
    async scan(filter = {}) {
      const items: Item[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await document.send(new ScanCommand({ TableName, ExclusiveStartKey: start, ...filter }));
        items.push(...((page.Items ?? []) as Item[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async get(key) {
      const out = await document.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }));
      return out.Item as Item | undefined;
    },
    close: () => document.destroy(),
  };
}

/** What DynamoDB answers a hot partition with, as the SDK throws it after its last attempt. */
export function throttlingError(): Error {
  return new ProvisionedThroughputExceededException({
    $metadata: { httpStatusCode: 400, requestId: 'THROTTLEDREQUEST0001', attempts: 3 },
    message: 'The level of configured provisioned throughput for the table gateway-table was exceeded.',
  });
}

/**
 * A DynamoDB service error by name (`AccessDeniedException`, `ResourceNotFoundException`, ...),
 * with a message that names internals (the ARN of the table and of the caller's role), as AWS's do.
 */
export function serviceError(name: string, status = 400): Error {
  return new DynamoDBServiceException({
    name,
    $fault: status < 500 ? 'client' : 'server',
    $metadata: { httpStatusCode: status, requestId: 'FAILEDREQUEST00001', attempts: 1 },
    message: `${name}: arn:aws:dynamodb:eu-west-1:123456789012:table/gateway-table for arn:aws:sts::123456789012:assumed-role/gateway-chat`,
  });
}

/** A command as the mocks see it: its class (`PutCommand`, `UpdateItemCommand`, ...) and input. */
export type SentCommand = { constructor: { name: string }; input: Record<string, unknown> };

/** The key a command reads or writes, from a document input (`'P'`) or a marshalled one (`{ S: 'P' }`). */
export function keyOf(command: SentCommand): { pk?: string; sk?: string } {
  const key = (command.input.Key ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : (v as { S?: string } | undefined)?.S);
  return { pk: text(key.pk), sk: text(key.sk) };
}

/** Mocks of both DynamoDB client classes that pass every command on unless told to fail it. */
export interface StoreMock {
  /** The document client's mock: `document.on(PutCommand, {...}).rejects(error)`. */
  document: AwsClientStub<DynamoDBDocumentClient>;
  /** The low-level client's mock (operations sent with marshalled values). */
  dynamo: AwsClientStub<DynamoDBClient>;
  /** Fails every command `when` selects, on either client, with `error` (until {@link StoreMock.heal}). */
  failWhen(when: (command: SentCommand) => boolean, error: Error): void;
  /** Drops every `failWhen` rule: commands reach the store again. */
  heal(): void;
  restore(): void;
}

/**
 * Mocks the SDK's DynamoDB clients of this test file (every instance: vitest isolates files): each
 * command reaches the real store (the embedded DynamoDB) unless a behaviour set on the mock, or a
 * {@link StoreMock.failWhen} rule, answers it first. The mocks replace `send`, so the SDK's retries
 * do not run: a rejection is what the SDK would throw after its last attempt.
 */
export function mockStore(): StoreMock {
  const rules: Array<{ when: (command: SentCommand) => boolean; error: Error }> = [];
  const mocks = [mockClient(DynamoDBDocumentClient), mockClient(DynamoDBClient)] as const;
  for (const mock of mocks) {
    const realSend = mock.send.wrappedMethod as (this: unknown, ...args: unknown[]) => Promise<unknown>;
    const passOn = function (this: unknown, command: SentCommand, ...rest: unknown[]) {
      const rule = rules.find((r) => r.when(command));
      return rule ? Promise.reject(rule.error) : realSend.call(this, command, ...rest);
    };
    mock.send.callsFake(passOn as never);
  }
  const [document, dynamo] = mocks;
  return {
    document,
    dynamo,
    failWhen: (when, error) => {
      rules.push({ when, error });
    },
    heal: () => {
      rules.length = 0;
    },
    restore: () => {
      for (const mock of mocks) mock.restore();
    },
  };
}

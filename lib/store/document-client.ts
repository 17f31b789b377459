/**
 * Item-level commands over {@link DynamoDbClient}, with the inputs and outputs of the AWS SDK's
 * `@aws-sdk/lib-dynamodb` (plain JavaScript values in `Key`, `Item`, `ExpressionAttributeValues`,
 * ...; marshalled with `removeUndefinedValues`, numbers unmarshalled as `number`), so repositories
 * read the same as with the SDK's document client: `client.send(new UpdateCommand({...}))`.
 */
import type {
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbClient, type DynamoDbClientOptions } from './dynamodb-client.js';

type Plain = Record<string, unknown>;
type Wire = Record<string, unknown>;
/** What a command's output carries besides the operation's fields (the SDK's `$metadata`). */
type Output<T> = Omit<T, '$metadata'>;

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const toWire = (value: unknown): Wire => marshall(value as Plain, MARSHALL) as Wire;
const fromWire = (value: unknown): Plain => unmarshall(value as Parameters<typeof unmarshall>[0]);

/** One command: the operation, its document input, and how to convert both ways. */
abstract class DocumentCommand<In extends object, Out> {
  abstract readonly operation: string;
  /** The input fields that hold attribute values (marshalled on the way out). */
  protected abstract readonly valueFields: readonly string[];
  constructor(readonly input: In) {}
  /** The wire input: the value fields marshalled, everything else as is. */
  toWire(): Wire {
    const out: Wire = { ...(this.input as Wire) };
    for (const field of this.valueFields) {
      const value = out[field];
      if (value !== undefined) out[field] = toWire(value);
    }
    return out;
  }
  /** The document output from the wire output. */
  abstract fromWire(out: Wire): Out;
}

/** A single-item write: its output's `Attributes` (with `ReturnValues`) unmarshalled. */
abstract class ItemWriteCommand<In extends object, Out> extends DocumentCommand<In, Out> {
  fromWire(out: Wire): Out {
    return { ...out, Attributes: out.Attributes ? fromWire(out.Attributes) : undefined } as Out;
  }
}

const KEYED = ['Key', 'ExpressionAttributeValues'] as const;

export class GetCommand extends DocumentCommand<GetCommandInput, Output<GetCommandOutput>> {
  readonly operation = 'GetItem';
  protected readonly valueFields = ['Key'];
  fromWire(out: Wire) {
    return { ...out, Item: out.Item ? fromWire(out.Item) : undefined };
  }
}

export class PutCommand extends ItemWriteCommand<PutCommandInput, Output<PutCommandOutput>> {
  readonly operation = 'PutItem';
  protected readonly valueFields = ['Item', 'ExpressionAttributeValues'];
}

export class UpdateCommand extends ItemWriteCommand<UpdateCommandInput, Output<UpdateCommandOutput>> {
  readonly operation = 'UpdateItem';
  protected readonly valueFields = KEYED;
}

export class DeleteCommand extends ItemWriteCommand<DeleteCommandInput, Output<DeleteCommandOutput>> {
  readonly operation = 'DeleteItem';
  protected readonly valueFields = KEYED;
}

function pageOut(out: Wire) {
  return {
    ...out,
    Items: Array.isArray(out.Items) ? out.Items.map(fromWire) : undefined,
    LastEvaluatedKey: out.LastEvaluatedKey ? fromWire(out.LastEvaluatedKey) : undefined,
  };
}

const PAGED = ['ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

export class QueryCommand extends DocumentCommand<QueryCommandInput, Output<QueryCommandOutput>> {
  readonly operation = 'Query';
  protected readonly valueFields = PAGED;
  fromWire(out: Wire) {
    return pageOut(out);
  }
}

export class ScanCommand extends DocumentCommand<ScanCommandInput, Output<ScanCommandOutput>> {
  readonly operation = 'Scan';
  protected readonly valueFields = PAGED;
  fromWire(out: Wire) {
    return pageOut(out);
  }
}

type WriteRequest = { PutRequest?: { Item?: Plain }; DeleteRequest?: { Key?: Plain } };

export class BatchWriteCommand extends DocumentCommand<
  BatchWriteCommandInput,
  Output<BatchWriteCommandOutput>
> {
  readonly operation = 'BatchWriteItem';
  /** The values sit inside `RequestItems`: marshalled request by request below. */
  protected readonly valueFields = [];
  override toWire() {
    const requestItems: Record<string, unknown[]> = {};
    for (const [table, requests] of Object.entries(this.input.RequestItems ?? {})) {
      requestItems[table] = (requests as WriteRequest[]).map(writeToWire);
    }
    return { ...this.input, RequestItems: requestItems };
  }
  fromWire(out: Wire) {
    const unprocessed = out.UnprocessedItems as Record<string, WriteRequest[]> | undefined;
    if (!unprocessed) return out;
    const back: Record<string, unknown[]> = {};
    for (const [table, requests] of Object.entries(unprocessed)) back[table] = requests.map(writeFromWire);
    return { ...out, UnprocessedItems: back } as Output<BatchWriteCommandOutput>;
  }
}

function writeToWire(request: WriteRequest): unknown {
  if (request.PutRequest) return { PutRequest: { Item: toWire(request.PutRequest.Item) } };
  return { DeleteRequest: { Key: toWire(request.DeleteRequest?.Key) } };
}

function writeFromWire(request: WriteRequest): unknown {
  if (request.PutRequest) return { PutRequest: { Item: fromWire(request.PutRequest.Item) } };
  return { DeleteRequest: { Key: fromWire(request.DeleteRequest?.Key) } };
}

/** Sends document commands; one per container, injected through `Deps`. */
export class DocumentClient {
  constructor(readonly dynamo: DynamoDbClient) {}

  static create(options: DynamoDbClientOptions): DocumentClient {
    return new DocumentClient(new DynamoDbClient(options));
  }

  async send<In extends object, Out>(command: DocumentCommand<In, Out>): Promise<Out> {
    const out = await this.dynamo.call<Wire>(command.operation, command.toWire());
    return command.fromWire(out);
  }

  destroy(): void {
    this.dynamo.destroy();
  }
}

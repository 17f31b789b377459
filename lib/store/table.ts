import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { decodeCursor, encodeCursor, type PageKey } from './cursor.js';
import {
  DeleteCommand,
  type DocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from './document-client.js';
import { isConditionFailed, translateStoreError } from './errors.js';
import type { ItemKey } from './keys.js';
import { type IndexName, TABLE_SCHEMA } from './table-schema.js';

/** A stored item: key attributes plus the entity's own attributes. */
export type Item = Record<string, unknown> & { pk: string; sk: string };

export interface PageRequest {
  /** The partition to read: the table's `pk`, or an index's partition attribute. */
  partition: string;
  index?: IndexName;
  /** Only sort keys that begin with this prefix. */
  skPrefix?: string;
  /** Only sort keys within these inclusive bounds (time ranges); not with `skPrefix`. */
  skRange?: { from: string; to: string };
  limit: number;
  cursor?: string | undefined;
  /** Client-side filter (never built from caller input into an expression). */
  filter?: (item: Item) => boolean;
  newestFirst?: boolean;
}

export interface Page {
  items: Item[];
  nextCursor: string | null;
}

/** Pages DynamoDB reads per list call before returning what it has (bounds a sparse filter). */
const MAX_READS_PER_PAGE = 25;

/**
 * The table gateway every repository uses: conditional writes, versioned updates, TTL-aware
 * reads and cursor pagination. It translates SDK errors once, here.
 */
export class Table {
  constructor(
    readonly client: DocumentClient,
    readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Closes the client's connections (the gateway instance's last step). */
  close(): void {
    this.client.destroy();
  }

  /** Whether an item's TTL (epoch seconds) has passed: DynamoDB may keep it for days after. */
  isExpired(item: Record<string, unknown>): boolean {
    const ttl = item[TABLE_SCHEMA.ttlAttribute];
    return typeof ttl === 'number' && ttl * 1000 <= this.nowMs();
  }

  /** Reads one item (strongly consistent); an expired item reads as absent. */
  async get(key: ItemKey): Promise<Item | undefined> {
    const out = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(translateStoreError);
    const item = out.Item as Item | undefined;
    return item && !this.isExpired(item) ? item : undefined;
  }

  /** Creates an item that must not exist yet; `onExists` is thrown if it does. */
  async create(item: Item, onExists: () => Error): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw onExists();
      translateStoreError(error);
    }
  }

  /** Unconditional put (idempotent records such as counters' metadata). */
  async put(item: Item): Promise<void> {
    await this.client
      .send(new PutCommand({ TableName: this.tableName, Item: item }))
      .catch(translateStoreError);
  }

  /**
   * Sets `changes` on an existing item if its `version` still equals `expectedVersion`, bumping the
   * version and `updated_at`. A stale version is a 409; a missing item a 404 named by `what`.
   */
  async updateVersioned(input: {
    key: ItemKey;
    expectedVersion: number;
    changes: Record<string, unknown>;
    remove?: string[];
    what: string;
  }): Promise<Item> {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':expected': input.expectedVersion, ':one': 1 };
    const sets: string[] = ['#version = #version + :one'];
    Object.entries(input.changes).forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      sets.push(`#f${i} = :v${i}`);
    });
    const removes = (input.remove ?? []).map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    const expression = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: input.key,
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as Item;
    } catch (error) {
      if (!isConditionFailed(error)) translateStoreError(error);
      const current = await this.get(input.key);
      if (!current) throw new NotFoundError(input.what);
      throw new ConflictError(
        `The ${input.what.toLowerCase()} was changed by another request; read it again.`,
        {
          code: 'version_conflict',
          details: { current_version: current.version },
        },
      );
    }
  }

  /** Deletes an item; with `expectedVersion`, only if unchanged. Returns false if it was absent. */
  async delete(key: ItemKey, options: { expectedVersion?: number } = {}): Promise<boolean> {
    const versioned = options.expectedVersion !== undefined;
    try {
      const out = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ReturnValues: 'ALL_OLD',
          ...(versioned
            ? {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': options.expectedVersion },
              }
            : {}),
        }),
      );
      return out.Attributes !== undefined;
    } catch (error) {
      if (versioned && isConditionFailed(error)) {
        throw new ConflictError('The object was changed by another request; read it again.', {
          code: 'version_conflict',
        });
      }
      return translateStoreError(error);
    }
  }

  /**
   * Every item of a partition (bounded use: small partitions such as a provider's children, a
   * week of hourly roll-ups); stops after `maxItems`.
   */
  async queryAll(
    request: Omit<PageRequest, 'limit' | 'cursor'>,
    maxItems = Number.POSITIVE_INFINITY,
  ): Promise<Item[]> {
    const all: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.queryPage({ ...request, limit: 100, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && all.length < maxItems);
    return all;
  }

  /**
   * One page of a partition, filtered client-side, with an opaque cursor placed right after the last
   * item returned (so a filter never skips or repeats items across pages).
   */
  async queryPage(request: PageRequest): Promise<Page> {
    const pkAttr = request.index ? `${request.index}pk` : 'pk';
    const skAttr = request.index ? `${request.index}sk` : 'sk';
    let startKey = startKeyOf(request, pkAttr, skAttr);
    const condition = keyCondition(request, pkAttr, skAttr);
    const items: Item[] = [];
    let lastExamined: Item | undefined;
    for (let reads = 0; reads < MAX_READS_PER_PAGE; reads++) {
      const out = await this.client
        .send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: request.index,
            KeyConditionExpression: condition.expression,
            ExpressionAttributeNames: condition.names,
            ExpressionAttributeValues: condition.values,
            ExclusiveStartKey: startKey,
            ScanIndexForward: !request.newestFirst,
            Limit: Math.min(100, request.limit + 1),
          }),
        )
        .catch(translateStoreError);
      for (const raw of (out.Items ?? []) as Item[]) {
        if (items.length === request.limit) {
          // One more match exists beyond the page: the cursor points after the last one returned.
          return { items, nextCursor: encodeCursor(pageKeyOf(items.at(-1)!, request.index)) };
        }
        lastExamined = raw;
        if (this.isExpired(raw) || (request.filter && !request.filter(raw))) continue;
        items.push(raw);
      }
      if (!out.LastEvaluatedKey) return { items, nextCursor: null };
      startKey = out.LastEvaluatedKey as PageKey;
    }
    // The read budget ran out on a sparse filter: resume after the last item examined.
    return { items, nextCursor: lastExamined ? encodeCursor(pageKeyOf(lastExamined, request.index)) : null };
  }
}

/** The key condition of a page request: the partition, and a sort-key prefix or range. */
function keyCondition(request: PageRequest, pkAttr: string, skAttr: string) {
  const names: Record<string, string> = { '#pk': pkAttr };
  const values: Record<string, unknown> = { ':pk': request.partition };
  let expression = '#pk = :pk';
  if (request.skPrefix) {
    names['#sk'] = skAttr;
    values[':prefix'] = request.skPrefix;
    expression += ' AND begins_with(#sk, :prefix)';
  } else if (request.skRange) {
    names['#sk'] = skAttr;
    values[':from'] = request.skRange.from;
    values[':to'] = request.skRange.to;
    expression += ' AND #sk BETWEEN :from AND :to';
  }
  return { expression, names, values };
}

/**
 * The decoded cursor, checked against the request: the partition it names, and for a range the
 * sort key inside it (DynamoDB rejects a start key outside the key condition).
 */
function startKeyOf(request: PageRequest, pkAttr: string, skAttr: string): PageKey | undefined {
  if (!request.cursor) return undefined;
  const key = decodeCursor(request.cursor, { attribute: pkAttr, value: request.partition });
  const sort = key[skAttr as keyof PageKey];
  const outside =
    (request.skRange && (sort === undefined || sort < request.skRange.from || sort > request.skRange.to)) ||
    (request.skPrefix && !sort?.startsWith(request.skPrefix));
  if (outside || !key.pk || !key.sk) {
    throw new BadRequestError('The cursor is not valid for this list.', { code: 'invalid_cursor' });
  }
  return key;
}

/** The exclusive start key DynamoDB expects: the table key, plus the index key when querying one. */
function pageKeyOf(item: Item, index: IndexName | undefined): PageKey {
  const attrs = index ? (['pk', 'sk', `${index}pk`, `${index}sk`] as const) : (['pk', 'sk'] as const);
  const key: PageKey = {};
  for (const attr of attrs) {
    const value = item[attr];
    if (typeof value === 'string') key[attr] = value;
  }
  return key;
}

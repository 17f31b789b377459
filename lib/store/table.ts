import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../errors.js';
import { type BatchWrite, batchWrite } from './batch-write.js';
import type { StoreClients } from './client.js';
import { ensureTable } from './create-table.js';
import { isConditionFailed, translateStoreError } from './errors.js';
import type { ItemKey } from './keys.js';
import {
  type Item,
  type KeyQuery,
  keyCondition,
  type Page,
  type PageRequest,
  readPage,
  readPages,
  type SendQuery,
} from './query.js';
import { marshallKey, marshallScalars } from './scalars.js';
import { TABLE_SCHEMA } from './table-schema.js';
import { buildUpdate, type Placeholders, type UpdateClauses } from './update-expression.js';

export type { BatchWrite } from './batch-write.js';
export type { Item, KeyQuery, Page, PageRequest } from './query.js';

/** A condition on the item a write targets (`attribute_exists(pk)`, `#seq = :seq`, ...). */
export interface WriteCondition extends Placeholders {
  /** The condition expression; its placeholders are in `names` and `values`. */
  condition?: string;
}

/** One update of one item: clauses, an optional condition, and what to return. */
export interface UpdateInput extends UpdateClauses, WriteCondition {
  key: ItemKey;
  /** `ALL_NEW`: the whole item after the write; `UPDATED_NEW`: the attributes the update set. */
  returnValues?: 'ALL_NEW' | 'UPDATED_NEW';
}

/** What a conditional write did: applied (with the attributes asked for), or refused by its condition. */
export type UpdateOutcome = { applied: true; item: Record<string, unknown> | undefined } | { applied: false };

/** The placeholders of a write, or none (DynamoDB refuses empty maps). */
function placeholders(input: Placeholders) {
  const { names, values } = input;
  return {
    ExpressionAttributeNames: names && Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: values && Object.keys(values).length ? values : undefined,
  };
}

/**
 * The one gateway to the single table: reads that hide expired items, conditional writes whose
 * refusal each caller turns into its own domain answer, atomic counters, batches and cursor
 * pagination. The SDK clients and the table's name stay private here; SDK errors are translated
 * once, here (`translateStoreError`: throttling becomes a 503).
 */
export class Table {
  readonly #clients: StoreClients;
  readonly #name: string;
  readonly #nowMs: () => number;
  readonly #observers = new Set<(operation: string, key: unknown) => void>();

  constructor(clients: StoreClients, tableName: string, nowMs: () => number = Date.now) {
    this.#clients = clients;
    this.#name = tableName;
    this.#nowMs = nowMs;
    // Installed before the first request: the client caches its middleware chain (`cacheMiddleware`).
    const observers = this.#observers;
    for (const client of [clients.dynamo, clients.document]) {
      client.middlewareStack.add(
        (next, context) => (args) => {
          if (observers.size > 0) {
            const operation = String(context.commandName ?? '').replace(/Command$/, '');
            const key = (args.input as { Key?: unknown } | undefined)?.Key;
            for (const notify of observers) notify(operation, key);
          }
          return next(args);
        },
        { step: 'finalizeRequest', name: 'tableObserver' },
      );
    }
  }

  /** Whether an item's TTL (epoch seconds) has passed: DynamoDB may keep it for days after. */
  isExpired(item: Record<string, unknown>): boolean {
    const ttl = item[TABLE_SCHEMA.ttlAttribute];
    return typeof ttl === 'number' && ttl * 1000 <= this.#nowMs();
  }

  /** Reads one item (strongly consistent); an expired item reads as absent. */
  async get(key: ItemKey): Promise<Item | undefined> {
    const out = await this.#clients.document
      .send(new GetCommand({ TableName: this.#name, Key: key, ConsistentRead: true }))
      .catch(translateStoreError);
    const item = out.Item as Item | undefined;
    return item && !this.isExpired(item) ? item : undefined;
  }

  /** Writes a whole item; with a condition, only where it holds. Returns false when it did not. */
  async put(item: Item, condition: WriteCondition = {}): Promise<boolean> {
    try {
      await this.#clients.document.send(
        new PutCommand({
          TableName: this.#name,
          Item: item,
          ConditionExpression: condition.condition,
          ...placeholders(condition),
        }),
      );
      return true;
    } catch (error) {
      if (condition.condition && isConditionFailed(error)) return false;
      return translateStoreError(error);
    }
  }

  /** Creates an item that must not exist yet; `onExists` is thrown if it does. */
  async create(item: Item, onExists: () => Error): Promise<void> {
    if (!(await this.put(item, { condition: 'attribute_not_exists(pk)' }))) throw onExists();
  }

  /**
   * Updates (or creates) one item: `set`, `setIfAbsent`, `add` and `remove` clauses, applied only
   * where `condition` holds. Without a condition it always applies; `add` alone is an atomic counter.
   *
   * @returns `{ applied: false }` when the condition refused the write (the caller decides what that
   *   means), else the attributes `returnValues` asked for.
   */
  async update(input: UpdateInput): Promise<UpdateOutcome> {
    const update = buildUpdate(input, input);
    const command = {
      TableName: this.#name,
      UpdateExpression: update.expression,
      ConditionExpression: input.condition,
      ...placeholders(update),
    };
    // Counters and admissions (nothing returned, only scalars) skip the document client's marshalling.
    const scalars = input.returnValues ? undefined : marshallScalars(update.values);
    try {
      if (scalars) {
        const Key = marshallKey(input.key);
        const values = Object.keys(scalars).length ? scalars : undefined;
        await this.#clients.dynamo.send(
          new UpdateItemCommand({ ...command, Key, ExpressionAttributeValues: values }),
        );
        return { applied: true, item: undefined };
      }
      const out = await this.#clients.document.send(
        new UpdateCommand({ ...command, Key: input.key, ReturnValues: input.returnValues }),
      );
      return { applied: true, item: out.Attributes };
    } catch (error) {
      if (input.condition && isConditionFailed(error)) return { applied: false };
      return translateStoreError(error);
    }
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
    const outcome = await this.update({
      key: input.key,
      set: input.changes,
      add: { version: 1 },
      ...(input.remove ? { remove: input.remove } : {}),
      condition: 'attribute_exists(pk) AND #version = :expected',
      names: { '#version': 'version' },
      values: { ':expected': input.expectedVersion },
      returnValues: 'ALL_NEW',
    });
    if (outcome.applied) return outcome.item as Item;
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

  /**
   * Deletes an item: with `expectedVersion`, only if unchanged (else a 409); with a condition, only
   * where it holds. Returns whether this call removed an item (false: absent, or refused).
   */
  async delete(key: ItemKey, options: WriteCondition & { expectedVersion?: number } = {}): Promise<boolean> {
    const versioned = options.expectedVersion !== undefined;
    const condition: WriteCondition = versioned
      ? {
          condition: '#version = :expected',
          names: { '#version': 'version' },
          values: { ':expected': options.expectedVersion },
        }
      : options;
    try {
      const out = await this.#clients.document.send(
        new DeleteCommand({
          TableName: this.#name,
          Key: key,
          ReturnValues: 'ALL_OLD',
          ConditionExpression: condition.condition,
          ...placeholders(condition),
        }),
      );
      return out.Attributes !== undefined;
    } catch (error) {
      if (!condition.condition || !isConditionFailed(error)) return translateStoreError(error);
      if (!versioned) return false;
      throw new ConflictError('The object was changed by another request; read it again.', {
        code: 'version_conflict',
      });
    }
  }

  /** Puts and deletes many items (chunks of 25, unprocessed ones resent); see `batch-write.ts`. */
  batchWrite(writes: readonly BatchWrite[]): Promise<void> {
    return batchWrite(this.#clients.document, this.#name, writes);
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
   * Every unexpired item of a key range in DynamoDB's own pages (up to 1 MB each), at most
   * `maxPages` of them: for reads that sum many items (usage roll-ups). `consistent` reads the
   * table strongly consistently (indexes never are).
   *
   * @returns the items, and whether the range was read to its end.
   */
  queryPages(
    request: KeyQuery,
    options: { maxPages: number; consistent?: boolean },
  ): Promise<{ items: Item[]; complete: boolean }> {
    return readPages(this.#sendQuery, request, { ...options, live: this.#live });
  }

  /**
   * One page of a partition, filtered client-side, with an opaque cursor placed right after the last
   * item returned (so a filter never skips or repeats items across pages).
   *
   * @throws BadRequestError `invalid_cursor` for a cursor of another list.
   */
  queryPage(request: PageRequest): Promise<Page> {
    return readPage(this.#sendQuery, request, this.#live);
  }

  /** Creates the table as the stack defines it unless it exists (local runtime, tools); see `create-table.ts`. */
  ensureTable(): Promise<'created' | 'exists'> {
    return ensureTable(this.#clients.dynamo, this.#name);
  }

  /**
   * Calls `observer` with each DynamoDB operation's name (`GetItem`, `UpdateItem`, ...) and the
   * item key it names, if any (as sent: plain or marshalled), as this table's client sends it,
   * retries included: how tests and benchmarks count calls. Returns the function that stops
   * observing.
   */
  observe(observer: (operation: string, key: unknown) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /**
   * Closes the client's connections: the gateway instance's last step (`Gateway.close`), after the
   * work it held has finished. The SDK does not refuse a later call (it would open a new connection).
   */
  close(): void {
    this.#clients.document.destroy();
  }

  readonly #live = (item: Item) => !this.isExpired(item);

  readonly #sendQuery: SendQuery = async (request, step) => {
    const condition = keyCondition(request);
    const out = await this.#clients.document
      .send(
        new QueryCommand({
          TableName: this.#name,
          IndexName: request.index,
          KeyConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
          ExclusiveStartKey: step.startKey,
          ScanIndexForward: step.newestFirst === undefined ? undefined : !step.newestFirst,
          Limit: step.limit,
          ConsistentRead: step.consistent && !request.index ? true : undefined,
        }),
      )
      .catch(translateStoreError);
    return { items: (out.Items ?? []) as Item[], lastKey: out.LastEvaluatedKey };
  };
}

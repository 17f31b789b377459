/**
 * The parts of dynalite 4.0.0's internals the change capture relies on, checked against its
 * source (`node_modules/dynalite`):
 *
 * - `index.js` does `db = require('./db')` at load and `store = db.create(options)` inside
 *   `dynalite(options)`, so replacing `require('dynalite/db').create` around that call hands us
 *   the store every action uses.
 * - Every write action (`actions/putItem.js`, `updateItem.js`, `deleteItem.js`; `batchWriteItem.js`
 *   runs the first and last) gets `itemDb = store.getItemDb(tableName)`, takes
 *   `itemDb.lock(key, …)`, reads the old item with `itemDb.get`, updates the indexes, then calls
 *   `itemDb.put(key, item, cb)` or `itemDb.del(key, cb)` and releases the lock in `cb`.
 * - Items are stored in DynamoDB's AttributeValue form (`{ pk: { S: '…' } }`).
 */
import { createRequire } from 'node:module';
import type { AttributeValue } from 'aws-lambda';

export type AttributeMap = Record<string, AttributeValue>;
export type Callback<T = void> = (error: Error | null | undefined, value?: T) => void;

/** A table's item store (a LevelDB key prefix). */
export interface ItemDb {
  get(key: string, cb: Callback<AttributeMap | undefined>): void;
  put(key: string, item: AttributeMap, cb: Callback): void;
  del(key: string, cb: Callback): void;
  lock(key: string, body: (release: <F extends (...args: never[]) => void>(cb: F) => F) => void): void;
  createValueStream(options?: Record<string, unknown>): NodeJS.ReadableStream;
}

/** A table description as dynalite keeps it. */
export interface TableDescription {
  TableName: string;
  KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
}

/** The store `db.create` returns. */
export interface DynaliteStore {
  getItemDb(tableName: string): ItemDb;
  getTable(tableName: string, checkStatus: boolean, cb: Callback<TableDescription>): void;
}

/** dynalite's `db` module (the functions used here). */
export interface DynaliteDb {
  create(options: Record<string, unknown>): DynaliteStore;
  createKey(item: AttributeMap, table: TableDescription): string;
  updateIndexes(
    store: DynaliteStore,
    table: TableDescription,
    oldItem: AttributeMap | undefined,
    newItem: AttributeMap | null,
    cb: Callback,
  ): void;
}

/** The same module instance `dynalite/index.js` loaded (Node's require cache). */
export const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as DynaliteDb;

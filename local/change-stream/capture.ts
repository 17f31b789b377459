import type { AttributeValue } from 'aws-lambda';
import {
  type AttributeMap,
  type DynaliteStore,
  dynaliteDb,
  type ItemDb,
  type TableDescription,
} from './dynalite-internals.js';

/** One item change as it happened: what a stream record is built from. */
export interface CapturedChange {
  tableName: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: AttributeMap;
  oldImage?: AttributeMap | undefined;
  newImage?: AttributeMap | undefined;
  /** The partition key's value (records of one key stay in order). */
  partitionKey: string;
  /** Monotonic, zero-padded to 21 digits, unique in this process. */
  sequenceNumber: string;
  /** When the change was applied (epoch ms, capture clock). */
  atMs: number;
  /** Set on deletes made by the TTL sweeper, as AWS marks TTL deletes. */
  service?: boolean;
}

type Listener = (change: CapturedChange) => void;

/** Canonical JSON (sorted keys), to spot writes that change nothing (AWS emits no record then). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Captures every item write of an embedded dynalite exactly, with old and new images, by wrapping
 * the item store its write actions use (see `dynalite-internals.ts`). The old image is read inside
 * the action's item lock, and the change is appended before the lock is released, so changes of
 * one item are captured in the order they were applied. Writes that change nothing are skipped.
 */
export class ChangeCapture {
  private readonly listeners = new Set<Listener>();
  private readonly wrapped = new Map<string, ItemDb>();
  private readonly tables = new Map<string, TableDescription>();
  private readonly base: bigint;
  private counter = 0n;
  store: DynaliteStore | undefined;

  constructor(readonly now: () => number = Date.now) {
    this.base = BigInt(Date.now()) * 1_000_000n;
  }

  /** Runs `start` (which calls `dynalite(...)`) with the store factory patched, then restores it. */
  install<T>(start: () => T): T {
    const original = dynaliteDb.create;
    dynaliteDb.create = (options) => this.attach(original(options));
    try {
      return start();
    } finally {
      dynaliteDb.create = original;
    }
  }

  /** Calls `listener` for every later change, synchronously; returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The unwrapped item store of a table (the TTL sweeper deletes through it). */
  rawItemDb(tableName: string): ItemDb {
    if (!this.store) throw new Error('change capture is not installed');
    return (
      (this.wrapped.get(tableName) as (ItemDb & { raw?: ItemDb }) | undefined)?.raw ??
      this.store.getItemDb(tableName)
    );
  }

  /** A table's description (cached: key schemas never change). */
  table(tableName: string): Promise<TableDescription> {
    const known = this.tables.get(tableName);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      this.store?.getTable(tableName, false, (error, table) => {
        if (error || !table) return reject(error ?? new Error(`no table ${tableName}`));
        this.tables.set(tableName, table);
        resolve(table);
      });
    });
  }

  private attach(store: DynaliteStore): DynaliteStore {
    this.store = store;
    const getItemDb = store.getItemDb.bind(store);
    store.getItemDb = (tableName: string) => {
      let db = this.wrapped.get(tableName);
      if (!db) {
        db = this.wrap(tableName, getItemDb(tableName));
        this.wrapped.set(tableName, db);
      }
      return db;
    };
    return store;
  }

  private wrap(tableName: string, raw: ItemDb): ItemDb {
    const wrapper = Object.create(raw) as ItemDb & { raw: ItemDb };
    wrapper.raw = raw;
    wrapper.put = (key, item, cb) => this.write(tableName, raw, { key, item }, cb);
    wrapper.del = (key, cb) => this.write(tableName, raw, { key, item: undefined }, cb);
    return wrapper;
  }

  /** Reads the old image (still under the action's lock), writes, then records the change. */
  private write(
    tableName: string,
    raw: ItemDb,
    op: { key: string; item: AttributeMap | undefined },
    cb: (e?: Error | null) => void,
  ) {
    raw.get(op.key, (readError, old) => {
      if (readError && readError.name !== 'NotFoundError') return cb(readError);
      const apply = (done: (e?: Error | null) => void) =>
        op.item ? raw.put(op.key, op.item, done) : raw.del(op.key, done);
      apply((writeError) => {
        if (writeError) return cb(writeError);
        this.table(tableName).then(
          (table) => {
            this.record({ table, oldImage: old ?? undefined, newImage: op.item });
            cb();
          },
          () => cb(),
        );
      });
    });
  }

  /** Builds and announces one change; a no-op write (same images, or a delete of nothing) is skipped. */
  record(input: {
    table: TableDescription;
    oldImage?: AttributeMap | undefined;
    newImage?: AttributeMap | undefined;
    service?: boolean;
  }) {
    const { oldImage, newImage, table } = input;
    if (!oldImage && !newImage) return;
    if (oldImage && newImage && canonical(oldImage) === canonical(newImage)) return;
    const image = (newImage ?? oldImage) as AttributeMap;
    const keys: AttributeMap = {};
    for (const k of table.KeySchema) keys[k.AttributeName] = image[k.AttributeName] as AttributeValue;
    const hash = table.KeySchema.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
    this.counter += 1n;
    const change: CapturedChange = {
      tableName: table.TableName,
      eventName: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
      keys,
      oldImage,
      newImage,
      partitionKey: JSON.stringify(image[hash] ?? null),
      sequenceNumber: (this.base + this.counter).toString().padStart(21, '0'),
      atMs: this.now(),
      ...(input.service ? { service: true } : {}),
    };
    for (const listener of this.listeners) listener(change);
  }
}

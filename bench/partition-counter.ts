/**
 * Benchmark helper (not part of the gateway): counts DynamoDB capacity per partition key value, for
 * the table and each GSI, in one process running the local runtime (`bench/partitions.mjs`).
 *
 * - Reads: every `GetItem`/`Query` the gateway's SDK clients send (both the document client and the
 *   low-level one) is sent with `ReturnConsumedCapacity: 'INDEXES'`; the embedded DynamoDB (dynalite)
 *   answers the read units (1 per 4 KB strongly consistent, 0.5 eventually), which land on the
 *   partition named by the request's key (`Key.pk`, or the query's `:pk`) in the table or the index.
 * - Writes: from the local change stream's records (NEW_AND_OLD_IMAGES, every change): 1 WCU per
 *   started KB of the larger image on the item's `pk`; on each GSI whose keys the old or new image
 *   carries, a put (same index key: one write of the new image's size) or a delete plus a put (key
 *   moved). TTL deletes are free, as in AWS. A conditional write that its condition refuses costs
 *   1 WCU on its key's partition (assumed ≤ 1 KB), counted from the SDK's error.
 * - Who caused it: stream consumer invocations run inside an AsyncLocalStorage context, so every
 *   operation is attributed to `request` (the HTTP path, including work after the answer) or to the
 *   consumer (`streams/quota-enforcer`, ...), and consumer batches and records are counted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { TABLE_SCHEMA } from '../lib/store/table-schema.js';
import { STREAM_CONSUMERS } from '../lib/streams/consumers.js';

/** dynalite's item size rule (attribute names + values, bytes), the one DynamoDB bills by. */
const itemSize = (createRequire(import.meta.url)('dynalite/db') as { itemSize(i: unknown): number }).itemSize;

/** Who caused an operation: the request path, or a stream consumer by its `fn`. */
export type Origin = string;
/** One partition's totals: `<table|gsiN> <partition key value>`. */
export interface PartitionCount {
  index: string;
  key: string;
  wcu: number;
  rcu: number;
  /** Writes (item or index) and read requests behind those units. */
  writes: number;
  reads: number;
  byOrigin: Record<Origin, { wcu: number; rcu: number; writes: number; reads: number }>;
}

export interface CounterSnapshot {
  partitions: PartitionCount[];
  /** Consumer invocations and records delivered, by consumer. */
  batches: Record<string, { invocations: number; records: number }>;
}

const origin = new AsyncLocalStorage<Origin>();
const READS = new Set(['GetItemCommand', 'QueryCommand', 'GetCommand']);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
]);

/** `ConsumedCapacity` of a read, with `ReturnConsumedCapacity: 'INDEXES'`. */
interface Capacity {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

type Sendable = {
  send: (command: {
    constructor: { name: string };
    input: Record<string, unknown>;
  }) => Promise<{ ConsumedCapacity?: Capacity } | undefined>;
};

/** A value as the document client (plain) or the low-level client (`{ S: '…' }`) carries it. */
function plain(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'S' in value) return String((value as { S: string }).S);
  return undefined;
}

/** Counts capacity per partition while installed; `uninstall()` restores what it patched. */
export class PartitionCounter {
  private readonly counts = new Map<string, PartitionCount>();
  private readonly batches: CounterSnapshot['batches'] = {};
  /** `pk\0sk` → writes sent and not yet seen on the stream, oldest first. */
  private readonly pendingWrites = new Map<string, Array<{ who: Origin; seen: boolean }>>();
  private readonly restore: Array<() => void> = [];

  /** Patches the SDK clients' `send` and the stream consumers' handlers (before the runtime starts). */
  async install(): Promise<void> {
    for (const cls of [DynamoDBClient, DynamoDBDocumentClient])
      this.patchSend(cls.prototype as unknown as Sendable);
    for (const consumer of STREAM_CONSUMERS) {
      const [group, name] = consumer.fn.split('/');
      const mod = (await import(`../functions/${group}/${name}.ts`)) as {
        handler: { forGateway: (deps: unknown) => (event: { Records: unknown[] }, ctx: unknown) => unknown };
      };
      const make = mod.handler.forGateway;
      this.batches[consumer.fn] = { invocations: 0, records: 0 };
      mod.handler.forGateway = (deps) => {
        const handler = make(deps);
        return (event, ctx) => {
          const b = this.batches[consumer.fn]!;
          b.invocations += 1;
          b.records += event.Records.length;
          return origin.run(consumer.fn, () => handler(event, ctx));
        };
      };
      this.restore.push(() => {
        mod.handler.forGateway = make;
      });
    }
  }

  uninstall(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }

  /** Forgets everything counted so far (after set-up and warm-up). */
  reset(): void {
    this.counts.clear();
    for (const b of Object.values(this.batches)) Object.assign(b, { invocations: 0, records: 0 });
  }

  snapshot(): CounterSnapshot {
    return {
      partitions: [...this.counts.values()].map((p) => structuredClone(p)),
      batches: structuredClone(this.batches),
    };
  }

  /** Feeds one change-stream record (subscribe with `streams.onRecord`). */
  onRecord = (record: DynamoDBRecord): void => {
    if (record.userIdentity?.type === 'Service') return; // TTL deletes cost nothing
    const images = record.dynamodb ?? {};
    const oldImage = images.OldImage as Record<string, AttributeValue> | undefined;
    const newImage = images.NewImage as Record<string, AttributeValue> | undefined;
    const keyOf = (oldImage ?? newImage)!;
    const id = `${plain(keyOf.pk)}\u0000${plain(keyOf.sk)}`;
    const waiting = this.pendingWrites.get(id)?.find((w) => !w.seen);
    if (waiting) waiting.seen = true;
    const who = waiting?.who ?? 'request';
    const units = (image: Record<string, AttributeValue> | undefined) =>
      image ? Math.max(1, Math.ceil(itemSize(image) / 1024)) : 0;
    this.add('table', plain(keyOf.pk)!, who, Math.max(units(oldImage), units(newImage)), 0);
    for (const gsi of TABLE_SCHEMA.globalSecondaryIndexes) {
      const oldKey =
        oldImage && plain(oldImage[gsi.partitionKey]) !== undefined && oldImage[gsi.sortKey]
          ? `${plain(oldImage[gsi.partitionKey])}\u0000${plain(oldImage[gsi.sortKey])}`
          : undefined;
      const newKey =
        newImage && plain(newImage[gsi.partitionKey]) !== undefined && newImage[gsi.sortKey]
          ? `${plain(newImage[gsi.partitionKey])}\u0000${plain(newImage[gsi.sortKey])}`
          : undefined;
      if (oldKey && oldKey !== newKey)
        this.add(gsi.indexName, plain(oldImage![gsi.partitionKey])!, who, units(oldImage), 0);
      if (newKey) this.add(gsi.indexName, plain(newImage![gsi.partitionKey])!, who, units(newImage), 0);
    }
  };

  private add(index: string, key: string, who: Origin, wcu: number, rcu: number): void {
    const id = `${index} ${key}`;
    const entry = this.counts.get(id) ?? { index, key, wcu: 0, rcu: 0, writes: 0, reads: 0, byOrigin: {} };
    const mine = entry.byOrigin[who] ?? { wcu: 0, rcu: 0, writes: 0, reads: 0 };
    for (const tally of [entry, mine]) {
      tally.wcu += wcu;
      tally.rcu += rcu;
      if (wcu > 0) tally.writes += 1;
      else tally.reads += 1;
    }
    entry.byOrigin[who] = mine;
    this.counts.set(id, entry);
  }

  private patchSend(proto: Sendable): void {
    const had = Object.hasOwn(proto, 'send');
    const original = proto.send;
    const counter = this;
    proto.send = async function (this: Sendable, command) {
      const name = command.constructor.name;
      const who = origin.getStore() ?? 'request';
      const input = command.input;
      if (READS.has(name)) input.ReturnConsumedCapacity = 'INDEXES';
      let writeId: string | undefined;
      const token = { who, seen: false };
      if (WRITES.has(name)) {
        const key = (input.Key ?? input.Item) as Record<string, unknown>;
        writeId = `${plain(key.pk)}\u0000${plain(key.sk)}`;
        const list = counter.pendingWrites.get(writeId) ?? [];
        list.push(token);
        counter.pendingWrites.set(writeId, list);
      }
      try {
        const out = await original.call(this, command);
        if (READS.has(name)) counter.countRead(input, out?.ConsumedCapacity, who);
        return out;
      } catch (error) {
        if (writeId && (error as Error).name === 'ConditionalCheckFailedException') {
          counter.add('table', writeId.split('\u0000')[0]!, who, 1, 0);
        }
        throw error;
      } finally {
        // The write's record (if it changed anything) came synchronously, before the answer.
        if (writeId) {
          const list = counter.pendingWrites.get(writeId) ?? [];
          const at = list.indexOf(token);
          if (at >= 0) list.splice(at, 1);
          if (list.length === 0) counter.pendingWrites.delete(writeId);
        }
      }
    };
    this.restore.push(() => {
      if (had) proto.send = original;
      else delete (proto as Partial<Sendable>).send;
    });
  }

  private countRead(input: Record<string, unknown>, capacity: Capacity | undefined, who: Origin): void {
    const index = typeof input.IndexName === 'string' ? input.IndexName : 'table';
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const key = input.Key ? plain((input.Key as Record<string, unknown>).pk) : plain(values[':pk']);
    if (key === undefined) return;
    const units =
      index === 'table'
        ? Number(capacity?.Table?.CapacityUnits ?? capacity?.CapacityUnits ?? 0.5)
        : Number(capacity?.GlobalSecondaryIndexes?.[index]?.CapacityUnits ?? capacity?.CapacityUnits ?? 0.5);
    // DynamoDB charges at least one read unit (half for eventually consistent) per request.
    const floor = input.ConsistentRead ? 1 : 0.5;
    this.add(index, key, who, 0, Math.max(floor, units));
  }
}

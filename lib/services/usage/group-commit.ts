import { randomBytes, randomInt } from 'node:crypto';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import { batchId, type CounterBatch, type CounterGroup, writeCounterBatch } from './counter-batch.js';
import { addCounters, type Counters } from './counters.js';
import { writerShard } from './shards.js';

/** Calls of one counter group waiting to be written together, and the write's outcome. */
interface Pending {
  group: CounterGroup;
  add: Counters;
  ttl: number;
  events: string[];
  written: Promise<number>;
  settle(shard: number | undefined, error?: unknown): void;
}

/** A counter group: whether its write is in flight, and the calls waiting for the next one. */
interface Group {
  writing: boolean;
  next: Pending | undefined;
}

/** The instance's counter groups, its writer identity and the drains in flight (awaited at close). */
interface UsageWriter {
  groups: Map<string, Group>;
  draining: Set<Promise<void>>;
  /** This instance's writer id: a new one after any batch is parked (see `writeCounterBatch`). */
  writer: string;
  seq: number;
}

const newWriterId = () => randomBytes(6).toString('hex');

const USAGE_WRITER = stateSlot<Gateway, UsageWriter>(
  'usage groups',
  () => ({ groups: new Map(), draining: new Set(), writer: newWriterId(), seq: 0 }),
  async (held) => {
    while (held.draining.size > 0) await Promise.allSettled([...held.draining]);
  },
);

const groupName = (g: CounterGroup) =>
  `${g.providerId}\u0000${g.modelId}\u0000${g.apiKeyId}\u0000${g.teamId ?? ''}\u0000${g.serviceType}\u0000${g.hour}`;

/**
 * Adds one call's amounts to its counter group's next write (group commit: at most one write per
 * group in flight per instance; calls arriving meanwhile are summed into the next). `eventId`
 * names the call's journal record, if it has one, so the batch can acknowledge it.
 *
 * @returns the shard written, once the call's amounts are stored; rejects when the write failed
 *   and the batch could not be parked either (a parked batch resolves: it will be replayed).
 */
export function enqueueCounters(
  deps: Gateway,
  input: { group: CounterGroup; add: Counters; ttl: number; eventId?: string | undefined },
): Promise<number> {
  const held = deps.state(USAGE_WRITER);
  const name = groupName(input.group);
  let group = held.groups.get(name);
  if (!group) {
    group = { writing: false, next: undefined };
    held.groups.set(name, group);
  }
  let pending = group.next;
  if (pending) {
    addCounters(pending.add, input.add);
    pending.ttl = Math.max(pending.ttl, input.ttl);
  } else {
    pending = newPending(input.group, input.add, input.ttl);
    group.next = pending;
  }
  if (input.eventId) pending.events.push(input.eventId);
  if (!group.writing) {
    const draining = drain(deps, held, name, group);
    held.draining.add(draining);
    void draining.finally(() => held.draining.delete(draining));
  }
  return pending.written;
}

function newPending(group: CounterGroup, add: Counters, ttl: number): Pending {
  let settle!: Pending['settle'];
  const written = new Promise<number>((resolve, reject) => {
    settle = (shard, error) => (error === undefined ? resolve(shard as number) : reject(error));
  });
  return { group, add: { ...add }, ttl, events: [], written, settle };
}

/** Writes a group's batches one after the other until none is waiting. */
async function drain(deps: Gateway, held: UsageWriter, name: string, group: Group): Promise<void> {
  group.writing = true;
  try {
    for (let pending = group.next; pending; pending = group.next) {
      group.next = undefined;
      const batch: CounterBatch = {
        ...pending.group,
        writer: held.writer,
        seq: ++held.seq,
        shard: writerShard(
          held.writer,
          deps.config.USAGE_COUNTER_SHARDS,
          randomInt(deps.config.USAGE_COUNTER_SHARDS),
        ),
        sharded: true,
        add: pending.add,
        ttl: pending.ttl,
        events: pending.events,
      };
      try {
        await commitBatch(deps, held, batch);
        pending.settle(batch.shard);
      } catch (error) {
        pending.settle(undefined, error);
      }
    }
  } finally {
    group.writing = false;
    held.groups.delete(name);
  }
}

/**
 * Makes one batch count once: journaled first where the instance journals (so a kill during the
 * write is replayed, idempotently), then written; a write that fails after the table client's
 * retries is parked and the writer renews its id (so none of its later batches can land on the
 * item ahead of the parked one's replay).
 */
async function commitBatch(deps: Gateway, held: UsageWriter, batch: CounterBatch): Promise<void> {
  const record = { kind: 'usage.batch' as const, id: batchId(batch), body: { ...batch } };
  // Written (not synced) before the counter write: a kill between the two replays it idempotently.
  if (deps.durable.journaled) await deps.durable.append([record], { sync: false });
  try {
    await writeCounterBatch(deps, batch);
  } catch (error) {
    if (held.writer === batch.writer) {
      held.writer = newWriterId();
      held.seq = 0;
    }
    await deps.durable.park(record, error);
    return;
  }
  deps.durable.ack([record.id, ...batch.events]);
}

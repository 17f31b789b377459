import { setTimeout as sleep } from 'node:timers/promises';
import type { Gateway } from '../runtime/gateway.js';
import { keys } from '../store/keys.js';
import type { Item } from '../store/table.js';
import { TABLE_SCHEMA } from '../store/table-schema.js';
import type { AuditDraft } from './event.js';
import { type AuditEvent, GENESIS_HASH, hashOf } from './hash.js';

/** Attempts to take the head before giving up (another writer advanced it each time). */
const MAX_ATTEMPTS = 60;

/** What {@link appendEvent} did: appended the event, or found the source record already there. */
export type AppendOutcome = { appended: true; event: AuditEvent } | { appended: false; sequence: number };

/** The stored item of an event: its day partition, both indexes and the retention TTL. */
export function eventItem(event: AuditEvent): Item {
  return {
    ...keys.auditEvent(event.recorded_at.slice(0, 10), event.sequence),
    ...keys.auditActorIndex(event.actor_key_id, event.recorded_at, event.sequence),
    ...keys.auditTargetIndex(event.target_type, event.target_id, event.recorded_at, event.sequence),
    entity: 'audit_event',
    ...event,
    [TABLE_SCHEMA.ttlAttribute]: event.expires_at,
  };
}

/**
 * Writes an event the head already holds and its source marker (both idempotent: the same content
 * every time, so written side by side), then clears it from the head.
 */
async function settle(deps: Gateway, event: AuditEvent): Promise<void> {
  await Promise.all([
    deps.table.put(eventItem(event)),
    deps.table.put({
      ...keys.auditSource(event.source_id),
      entity: 'audit_source',
      sequence: event.sequence,
      [TABLE_SCHEMA.ttlAttribute]: event.expires_at,
    }),
  ]);
  // Refused: another writer settled it and moved on, nothing left to do.
  await deps.table.update({
    key: keys.auditHead(),
    remove: ['pending'],
    condition: '#seq = :seq',
    names: { '#seq': 'sequence' },
    values: { ':seq': event.sequence },
  });
}

function build(deps: Gateway, draft: AuditDraft, head: Item | undefined): AuditEvent {
  // Never before the previous event (clocks of concurrent writers differ): day partitions stay in order.
  const previous = typeof head?.recorded_at === 'string' ? Date.parse(head.recorded_at) : 0;
  const recordedMs = Math.max(deps.now(), Number.isFinite(previous) ? previous : 0);
  const content: Omit<AuditEvent, 'hash'> = {
    ...draft,
    sequence: Number(head?.sequence ?? 0) + 1,
    recorded_at: new Date(recordedMs).toISOString(),
    expires_at: Math.floor(recordedMs / 1000) + deps.config.AUDIT_RETENTION_DAYS * 86_400,
    prev_hash: typeof head?.hash === 'string' ? head.hash : GENESIS_HASH,
    prev_expires_at: typeof head?.expires_at === 'number' ? head.expires_at : null,
  };
  return { ...content, hash: hashOf(content) };
}

/** Moves the head from `previous` (absent: an empty chain) to `event`, holding it as pending. */
async function advanceHead(deps: Gateway, event: AuditEvent): Promise<boolean> {
  const outcome = await deps.table.update({
    key: keys.auditHead(),
    set: {
      sequence: event.sequence,
      hash: event.hash,
      expires_at: event.expires_at,
      recorded_at: event.recorded_at,
      pending: event,
      entity: 'audit_head',
    },
    setIfAbsent: { first_day: event.recorded_at.slice(0, 10) },
    condition:
      '(attribute_not_exists(#seq) AND :prev = :zero) OR (#seq = :prev AND attribute_not_exists(pending))',
    names: { '#seq': 'sequence' },
    values: { ':prev': event.sequence - 1, ':zero': 0 },
  });
  return outcome.applied;
}

/** The head as this writer left it after appending `event` (settled: nothing pending). */
export function headAfter(event: AuditEvent): Item {
  return {
    ...keys.auditHead(),
    sequence: event.sequence,
    hash: event.hash,
    expires_at: event.expires_at,
    recorded_at: event.recorded_at,
  };
}

/**
 * Appends one draft to the hash chain, exactly once per source record. The head item holds the
 * last sequence and hash; a writer takes sequence n + 1 by a conditional update of the head
 * (`sequence = n`, nothing pending) that also stores the new event as `pending`, then writes the
 * event item and a marker for its source record and clears `pending`. A writer that finds an
 * event pending (its writer stopped half-way) settles it first, so a crash never loses an event
 * nor leaves a gap; the marker makes a replayed record a no-op. Contention is retried with jitter.
 *
 * @param knownHead - the head as this writer left it after its previous append (`headAfter`): used
 *   instead of reading it, once. If another writer moved the head since, the conditional update
 *   fails and the head is read as usual, so a stale hint costs one attempt, never a wrong link.
 */
export async function appendEvent(
  deps: Gateway,
  draft: AuditDraft,
  knownHead?: Item,
): Promise<AppendOutcome> {
  let hint = knownHead;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // The marker and the head are read side by side; the marker is awaited below.
    const markerRead = deps.table.get(keys.auditSource(draft.source_id));
    markerRead.catch(() => undefined);
    const head = hint ?? (await deps.table.get(keys.auditHead()));
    hint = undefined;
    const pending = head?.pending as AuditEvent | undefined;
    if (pending) {
      await settle(deps, pending);
      continue;
    }
    const marker = await markerRead;
    if (marker) return { appended: false, sequence: Number(marker.sequence) };
    const event = build(deps, draft, head);
    if (await advanceHead(deps, event)) {
      await settle(deps, event);
      return { appended: true, event };
    }
    // Full jitter, doubling from 5 ms up to 250 ms: at most about 14 s in all.
    await sleep(Math.floor(Math.random() * Math.min(250, 5 * 2 ** attempt)));
  }
  throw new Error('audit chain head stayed contended; the batch will be retried');
}

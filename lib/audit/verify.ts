import { keys, padNumber } from '../store/keys.js';
import type { Item } from '../store/table.js';
import { type AuditEvent, eventOf, GENESIS_HASH, hashOf } from './hash.js';

/** One thing wrong with the chain. */
export interface ChainProblem {
  /** `edited`: content does not match its hash, or a link does not match the event before it;
   * `missing`: sequences absent that retention cannot explain; `reordered`: an event stored out of
   * its place in the chain; `head`: the chain's head disagrees with its last event. */
  kind: 'edited' | 'missing' | 'reordered' | 'head';
  sequence: number | null;
  detail: string;
}

/** What `npm run audit:verify` reports. */
export interface ChainReport {
  ok: boolean;
  /** Events read and checked. */
  checked: number;
  first_sequence: number | null;
  last_sequence: number | null;
  /** Events before the first one present that expired by retention (an allowed gap). */
  expired: number;
  problems: ChainProblem[];
}

function placementOf(item: Item, event: AuditEvent): ChainProblem | undefined {
  const where = keys.auditEvent(String(event.recorded_at ?? '').slice(0, 10), Number(event.sequence));
  if (item.pk === where.pk && item.sk === where.sk) return undefined;
  return {
    kind: 'reordered',
    sequence: Number(event.sequence),
    detail: `event ${event.sequence} is stored at ${item.pk}/${item.sk}, not ${where.pk}/${where.sk}`,
  };
}

/** The check of the first event present: from 1, or after a prefix retention has expired. */
function startOf(first: AuditEvent, nowMs: number, problems: ChainProblem[]): number {
  if (first.sequence === 1) {
    if (first.prev_hash !== GENESIS_HASH) {
      problems.push({
        kind: 'edited',
        sequence: 1,
        detail: 'the first event does not link to the genesis hash',
      });
    }
    return 0;
  }
  const prevExpiry = first.prev_expires_at;
  if (typeof prevExpiry === 'number' && prevExpiry * 1000 <= nowMs) return first.sequence - 1;
  problems.push({
    kind: 'missing',
    sequence: first.sequence - 1,
    detail: `events 1..${first.sequence - 1} are absent and had not expired by retention`,
  });
  return 0;
}

/**
 * Checks a chain read in stored order (day partitions ascending, sequences ascending) against its
 * head: every event's hash over its content, its place (`AUDIT#<day>` / sequence), the link to the
 * event before it, consecutive sequences, and the head's sequence and hash. A gap before the
 * first event present is allowed only if the event before it has expired by retention
 * (`prev_expires_at`, hashed into the first present event, is past); any other gap is `missing`.
 */
export function verifyChain(items: readonly Item[], head: Item | undefined, nowMs: number): ChainReport {
  const problems: ChainProblem[] = [];
  const events = items.map((item) => ({ item, event: eventOf(item) }));
  const pending = head?.pending as AuditEvent | undefined;
  if (pending && !events.some(({ event }) => event.sequence === pending.sequence)) {
    // Appended to the head, not yet written out: the next append settles it.
    const item = {
      pk: keys.auditEvent(pending.recorded_at.slice(0, 10), pending.sequence).pk,
      sk: padNumber(pending.sequence, 12),
      ...pending,
    };
    events.push({ item, event: pending });
  }
  let expired = 0;
  let previous: AuditEvent | undefined;
  for (const { item, event } of events) {
    const sequence = Number(event.sequence);
    if (hashOf(event) !== event.hash) {
      problems.push({ kind: 'edited', sequence, detail: `event ${sequence} does not match its hash` });
    }
    const misplaced = placementOf(item, event);
    if (misplaced) problems.push(misplaced);
    if (!previous) {
      expired = startOf(event, nowMs, problems);
    } else if (sequence <= previous.sequence) {
      problems.push({
        kind: 'reordered',
        sequence,
        detail: `event ${sequence} follows event ${previous.sequence}`,
      });
    } else if (sequence > previous.sequence + 1) {
      problems.push({
        kind: 'missing',
        sequence: previous.sequence + 1,
        detail: `events ${previous.sequence + 1}..${sequence - 1} are absent`,
      });
    } else if (event.prev_hash !== previous.hash) {
      problems.push({
        kind: 'edited',
        sequence,
        detail: `event ${sequence} does not link to event ${previous.sequence}`,
      });
    }
    if (!previous || sequence > previous.sequence) previous = event;
  }
  checkHead(head, previous, nowMs, problems);
  return {
    ok: problems.length === 0,
    checked: events.length,
    first_sequence: events[0] ? Number(events[0].event.sequence) : null,
    last_sequence: previous ? Number(previous.sequence) : null,
    expired,
    problems,
  };
}

function checkHead(
  head: Item | undefined,
  last: AuditEvent | undefined,
  nowMs: number,
  problems: ChainProblem[],
) {
  if (!head) {
    if (last)
      problems.push({ kind: 'head', sequence: null, detail: 'events exist but the chain head is absent' });
    return;
  }
  const headSequence = Number(head.sequence);
  if (!last) {
    const expiry = Number(head.expires_at);
    if (!(expiry * 1000 <= nowMs)) {
      problems.push({
        kind: 'missing',
        sequence: headSequence,
        detail: `no events present; the head is at ${headSequence}`,
      });
    }
    return;
  }
  if (headSequence > last.sequence) {
    problems.push({
      kind: 'missing',
      sequence: last.sequence + 1,
      detail: `events ${last.sequence + 1}..${headSequence} (the newest) are absent`,
    });
  } else if (headSequence !== last.sequence || head.hash !== last.hash) {
    problems.push({
      kind: 'head',
      sequence: last.sequence,
      detail: 'the head does not match the last event',
    });
  }
}

import { describe, expect, it } from 'vitest';
import { eventItem } from '../../../lib/audit/chain.js';
import { type AuditEvent, canonicalJson, GENESIS_HASH, hashOf } from '../../../lib/audit/hash.js';
import { verifyChain } from '../../../lib/audit/verify.js';
import type { Item } from '../../../lib/store/table.js';

const DAY = 86_400;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** A chain of `count` events, one a day, each kept `retentionDays`. */
function chain(count: number, retentionDays = 365): { items: Item[]; head: Item } {
  const items: Item[] = [];
  let prev: AuditEvent | undefined;
  for (let i = 1; i <= count; i++) {
    const recordedMs = T0 + (i - 1) * DAY * 1000;
    const content: Omit<AuditEvent, 'hash'> = {
      source_id: `src-${i}`,
      at: new Date(recordedMs).toISOString(),
      actor_key_id: 'key_a',
      action: 'provider.updated',
      target_type: 'provider',
      target_id: 'prov_1',
      provider_id: 'prov_1',
      changes: { priority: { before: i - 1, after: i } },
      request_id: `req-${i}`,
      source_ip: '203.0.113.1',
      sequence: i,
      recorded_at: new Date(recordedMs).toISOString(),
      expires_at: Math.floor(recordedMs / 1000) + retentionDays * DAY,
      prev_hash: prev?.hash ?? GENESIS_HASH,
      prev_expires_at: prev?.expires_at ?? null,
    };
    prev = { ...content, hash: hashOf(content) };
    items.push(eventItem(prev));
  }
  const head = {
    pk: 'AUDIT_HEAD',
    sk: 'AUDIT_HEAD',
    sequence: prev!.sequence,
    hash: prev!.hash,
    expires_at: prev!.expires_at,
  };
  return { items, head };
}

describe('audit chain verification', () => {
  it('accepts an intact chain', () => {
    const { items, head } = chain(5);
    expect(verifyChain(items, head, T0)).toMatchObject({
      ok: true,
      checked: 5,
      first_sequence: 1,
      last_sequence: 5,
      expired: 0,
    });
  });

  it('reports an edited, a removed and a reordered event', () => {
    const { items, head } = chain(6);
    const edited = items.map((item, i) => (i === 2 ? { ...item, target_id: 'prov_2' } : item));
    expect(verifyChain(edited, head, T0).problems).toEqual([
      expect.objectContaining({ kind: 'edited', sequence: 3 }),
    ]);
    const removed = items.filter((_, i) => i !== 3);
    expect(verifyChain(removed, head, T0).problems).toEqual([
      expect.objectContaining({ kind: 'missing', sequence: 4 }),
    ]);
    const swapped = [...items];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(verifyChain(swapped, head, T0).problems.map((p) => p.kind)).toContain('reordered');
  });

  it('accepts the oldest events gone once they expired by retention, and not before', () => {
    const { items, head } = chain(10, 3);
    const kept = items.slice(4);
    const afterExpiry = T0 + (3 + 4) * DAY * 1000;
    expect(verifyChain(kept, head, afterExpiry)).toMatchObject({ ok: true, expired: 4, first_sequence: 5 });
    const tooEarly = T0 + 2 * DAY * 1000;
    expect(verifyChain(kept, head, tooEarly).problems).toEqual([
      expect.objectContaining({ kind: 'missing', sequence: 4 }),
    ]);
  });

  it('reports the newest events removed (the head is ahead of the last event)', () => {
    const { items, head } = chain(4);
    expect(verifyChain(items.slice(0, 3), head, T0).problems).toEqual([
      expect.objectContaining({ kind: 'missing', sequence: 4 }),
    ]);
    expect(verifyChain([], head, T0).ok).toBe(false);
  });

  it('hashes canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });
});

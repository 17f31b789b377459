import { createHash } from 'node:crypto';
import type { AuditDraft } from './event.js';

/** The `prev_hash` of the first event ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit event as stored and returned: a draft placed in the hash chain. */
export interface AuditEvent extends AuditDraft {
  /** Position in the chain, from 1, without gaps. */
  sequence: number;
  /** When the event was appended (its day partition). */
  recorded_at: string;
  /** When the event expires by retention (TTL, epoch seconds). */
  expires_at: number;
  /** The hash of the event before it ({@link GENESIS_HASH} for the first). */
  prev_hash: string;
  /** When the event before it expires (null for the first): a gap before it is retention, not tampering. */
  prev_expires_at: number | null;
  /** SHA-256 (hex) of the canonical JSON of every other field. */
  hash: string;
}

/** Every field of an event, in the order they are listed; all but `hash` are hashed. */
export const EVENT_FIELDS = [
  'sequence',
  'recorded_at',
  'expires_at',
  'prev_hash',
  'prev_expires_at',
  'source_id',
  'at',
  'actor_key_id',
  'action',
  'target_type',
  'target_id',
  'provider_id',
  'changes',
  'request_id',
  'source_ip',
  'hash',
] as const;

/** JSON with object keys sorted at every level, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of an event: SHA-256 over the canonical JSON of every field but `hash`. */
export function hashOf(event: Omit<AuditEvent, 'hash'> | Record<string, unknown>): string {
  const content: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) {
    if (field !== 'hash') content[field] = (event as Record<string, unknown>)[field] ?? null;
  }
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** The event fields of a stored item (key attributes and bookkeeping left out). */
export function eventOf(item: Record<string, unknown>): AuditEvent {
  const event: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) event[field] = item[field] ?? null;
  return event as unknown as AuditEvent;
}

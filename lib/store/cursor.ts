import { BadRequestError } from '../errors.js';
import { KEY_ATTRIBUTES } from './table-schema.js';

/** A DynamoDB key of the table or an index: only key attributes, only strings. */
export type PageKey = Partial<Record<(typeof KEY_ATTRIBUTES)[number], string>>;

const invalid = () =>
  new BadRequestError('The cursor is not valid for this list.', { code: 'invalid_cursor' });

/** Encodes the position after `key` as an opaque, URL-safe cursor. */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks it belongs to the list being read: only key attributes, only short
 * strings, and the partition attribute equal to the partition queried. A forged or foreign cursor
 * is a 400, never a read of another partition.
 */
export function decodeCursor(cursor: string, partition: { attribute: string; value: string }): PageKey {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed);
  const allowed: readonly string[] = KEY_ATTRIBUTES;
  if (entries.length === 0 || entries.length > KEY_ATTRIBUTES.length) throw invalid();
  for (const [name, value] of entries) {
    if (!allowed.includes(name) || typeof value !== 'string' || value.length === 0 || value.length > 1024) {
      throw invalid();
    }
  }
  const key = parsed as PageKey;
  if (key[partition.attribute as keyof PageKey] !== partition.value) throw invalid();
  return key;
}

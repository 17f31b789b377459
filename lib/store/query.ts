/**
 * The parts of a `Query` that `Table` builds from a request: the key condition, the start key a
 * cursor names (checked against the request), and the key to resume after an item.
 */
import { BadRequestError } from '../errors.js';
import { decodeCursor, type PageKey } from './cursor.js';
import type { IndexName } from './table-schema.js';

/** A stored item: key attributes plus the entity's own attributes. */
export type Item = Record<string, unknown> & { pk: string; sk: string };

/** Which items of one partition (of the table or an index) to read. */
export interface KeyQuery {
  /** The partition to read: the table's `pk`, or an index's partition attribute. */
  partition: string;
  index?: IndexName;
  /** Only sort keys that begin with this prefix. */
  skPrefix?: string;
  /** Only sort keys within these inclusive bounds (time ranges); not with `skPrefix`. */
  skRange?: { from: string; to: string };
}

export interface PageRequest extends KeyQuery {
  limit: number;
  cursor?: string | undefined;
  /** Client-side filter (never built from caller input into an expression). */
  filter?: (item: Item) => boolean;
  newestFirst?: boolean;
}

export interface Page {
  items: Item[];
  nextCursor: string | null;
}

/** The key attributes a query reads: the table's, or the index's. */
export function keyAttributes(index: IndexName | undefined): { pkAttr: string; skAttr: string } {
  return index ? { pkAttr: `${index}pk`, skAttr: `${index}sk` } : { pkAttr: 'pk', skAttr: 'sk' };
}

/** The key condition of a query: the partition, and a sort-key prefix or range. */
export function keyCondition(request: KeyQuery) {
  const { pkAttr, skAttr } = keyAttributes(request.index);
  const names: Record<string, string> = { '#pk': pkAttr };
  const values: Record<string, unknown> = { ':pk': request.partition };
  let expression = '#pk = :pk';
  if (request.skPrefix) {
    names['#sk'] = skAttr;
    values[':prefix'] = request.skPrefix;
    expression += ' AND begins_with(#sk, :prefix)';
  } else if (request.skRange) {
    names['#sk'] = skAttr;
    values[':from'] = request.skRange.from;
    values[':to'] = request.skRange.to;
    expression += ' AND #sk BETWEEN :from AND :to';
  }
  return { expression, names, values };
}

/**
 * The decoded cursor, checked against the request: the partition it names, and for a range the
 * sort key inside it (DynamoDB rejects a start key outside the key condition).
 *
 * @throws BadRequestError `invalid_cursor` for a forged cursor or one of another list.
 */
export function startKeyOf(request: PageRequest): PageKey | undefined {
  if (!request.cursor) return undefined;
  const { pkAttr, skAttr } = keyAttributes(request.index);
  const key = decodeCursor(request.cursor, { attribute: pkAttr, value: request.partition });
  const sort = key[skAttr as keyof PageKey];
  const outside =
    (request.skRange && (sort === undefined || sort < request.skRange.from || sort > request.skRange.to)) ||
    (request.skPrefix && !sort?.startsWith(request.skPrefix));
  if (outside || !key.pk || !key.sk) {
    throw new BadRequestError('The cursor is not valid for this list.', { code: 'invalid_cursor' });
  }
  return key;
}

/** The exclusive start key DynamoDB expects: the table key, plus the index key when querying one. */
export function pageKeyOf(item: Item, index: IndexName | undefined): PageKey {
  const attrs = index ? (['pk', 'sk', `${index}pk`, `${index}sk`] as const) : (['pk', 'sk'] as const);
  const key: PageKey = {};
  for (const attr of attrs) {
    const value = item[attr];
    if (typeof value === 'string') key[attr] = value;
  }
  return key;
}

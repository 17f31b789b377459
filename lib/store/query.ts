/**
 * Reads of one partition as `Table` offers them: the key condition, the start key a cursor names
 * (checked against the request), the key to resume after an item, and the paging loops over one
 * `Query` call that `Table` sends.
 */
import { BadRequestError } from '../errors.js';
import { decodeCursor, encodeCursor, type PageKey } from './cursor.js';
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
function keyAttributes(index: IndexName | undefined): { pkAttr: string; skAttr: string } {
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

/** How one `Query` call continues: after which key, in which order, how many, how consistent. */
export interface QueryStep {
  startKey?: Record<string, unknown> | undefined;
  newestFirst?: boolean;
  limit?: number;
  consistent?: boolean;
}

/** One `Query` call of a partition (`Table` sends it): the items read, and where the next page starts. */
export type SendQuery = (
  request: KeyQuery,
  step: QueryStep,
) => Promise<{ items: Item[]; lastKey: Record<string, unknown> | undefined }>;

/** Pages DynamoDB reads per list call before returning what it has (bounds a sparse filter). */
const MAX_READS_PER_PAGE = 25;

/**
 * One page of a partition, filtered client-side, with an opaque cursor placed right after the last
 * item returned (so a filter never skips or repeats items across pages). `live` drops expired items.
 *
 * @throws BadRequestError `invalid_cursor` for a cursor of another list.
 */
export async function readPage(
  send: SendQuery,
  request: PageRequest,
  live: (item: Item) => boolean,
): Promise<Page> {
  let startKey: Record<string, unknown> | undefined = startKeyOf(request);
  const items: Item[] = [];
  let lastExamined: Item | undefined;
  for (let reads = 0; reads < MAX_READS_PER_PAGE; reads++) {
    const out = await send(request, {
      startKey,
      newestFirst: request.newestFirst ?? false,
      limit: Math.min(100, request.limit + 1),
    });
    for (const raw of out.items) {
      if (items.length === request.limit) {
        // One more match exists beyond the page: the cursor points after the last one returned.
        return { items, nextCursor: encodeCursor(pageKeyOf(items.at(-1)!, request.index)) };
      }
      lastExamined = raw;
      if (!live(raw) || (request.filter && !request.filter(raw))) continue;
      items.push(raw);
    }
    if (!out.lastKey) return { items, nextCursor: null };
    startKey = out.lastKey;
  }
  // The read budget ran out on a sparse filter: resume after the last item examined.
  return { items, nextCursor: lastExamined ? encodeCursor(pageKeyOf(lastExamined, request.index)) : null };
}

/**
 * Every live item of a key range in DynamoDB's own pages (up to 1 MB each), at most `maxPages`.
 *
 * @returns the items, and whether the range was read to its end.
 */
export async function readPages(
  send: SendQuery,
  request: KeyQuery,
  options: { maxPages: number; consistent?: boolean; live: (item: Item) => boolean },
): Promise<{ items: Item[]; complete: boolean }> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < options.maxPages; page++) {
    const out = await send(request, { startKey, consistent: options.consistent ?? false });
    for (const item of out.items) if (options.live(item)) items.push(item);
    if (!out.lastKey) return { items, complete: true };
    startKey = out.lastKey;
  }
  return { items, complete: false };
}

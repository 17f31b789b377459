/**
 * One page of a partition restricted to a sort-key range (`BETWEEN from AND to`): the time-range
 * reads of health history and incidents. Same contract as `Table.queryPage` (TTL-aware, client-side
 * filter, cursor after the last item returned, bounded reads per call); `Table` has no range form.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../errors.js';
import { decodeCursor, encodeCursor, type PageKey } from '../../store/cursor.js';
import { translateStoreError } from '../../store/errors.js';
import type { Item, Page, Table } from '../../store/table.js';
import type { IndexName } from '../../store/table-schema.js';

/** A page request over a sort-key range (`from`/`to` from `keys.timeRange`). */
export interface RangePageRequest {
  partition: string;
  index?: IndexName;
  /** Inclusive sort-key bounds (see `keys.timeRange`). */
  from: string;
  to: string;
  limit: number;
  cursor?: string | undefined;
  filter?: (item: Item) => boolean;
  newestFirst?: boolean;
}

/** DynamoDB reads per call before returning what was found (bounds a sparse filter). */
const MAX_READS = 25;

function attributesOf(index: IndexName | undefined) {
  return index ? { pk: `${index}pk`, sk: `${index}sk` } : { pk: 'pk', sk: 'sk' };
}

function pageKeyOf(item: Item, index: IndexName | undefined): PageKey {
  const names = index ? ['pk', 'sk', `${index}pk`, `${index}sk`] : ['pk', 'sk'];
  const key: PageKey = {};
  for (const name of names) {
    const value = item[name];
    if (typeof value === 'string') key[name as keyof PageKey] = value;
  }
  return key;
}

/** Decodes a cursor and checks it lies inside the range (DynamoDB rejects a start key outside it). */
function startKeyOf(request: RangePageRequest): PageKey | undefined {
  if (!request.cursor) return undefined;
  const attrs = attributesOf(request.index);
  const key = decodeCursor(request.cursor, { attribute: attrs.pk, value: request.partition });
  const sort = key[attrs.sk as keyof PageKey];
  if (sort === undefined || sort < request.from || sort > request.to || !key.pk || !key.sk) {
    throw new BadRequestError('The cursor is not valid for this list.', { code: 'invalid_cursor' });
  }
  return key;
}

/**
 * Reads one page of `partition` between `from` and `to`, skipping expired items and those the
 * filter refuses.
 *
 * @throws BadRequestError `invalid_cursor` for a cursor of another list or range;
 *   ServiceUnavailableError when DynamoDB throttles.
 */
export async function queryRangePage(table: Table, request: RangePageRequest): Promise<Page> {
  const attrs = attributesOf(request.index);
  let startKey = startKeyOf(request);
  const items: Item[] = [];
  let lastExamined: Item | undefined;
  for (let reads = 0; reads < MAX_READS; reads++) {
    const out = await table.client
      .send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: request.index,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': attrs.pk, '#sk': attrs.sk },
          ExpressionAttributeValues: { ':pk': request.partition, ':from': request.from, ':to': request.to },
          ExclusiveStartKey: startKey,
          ScanIndexForward: !request.newestFirst,
          Limit: Math.min(100, request.limit + 1),
        }),
      )
      .catch(translateStoreError);
    for (const raw of (out.Items ?? []) as Item[]) {
      if (items.length === request.limit) {
        return { items, nextCursor: encodeCursor(pageKeyOf(items.at(-1) as Item, request.index)) };
      }
      lastExamined = raw;
      if (table.isExpired(raw) || (request.filter && !request.filter(raw))) continue;
      items.push(raw);
    }
    if (!out.LastEvaluatedKey) return { items, nextCursor: null };
    startKey = out.LastEvaluatedKey as PageKey;
  }
  return { items, nextCursor: lastExamined ? encodeCursor(pageKeyOf(lastExamined, request.index)) : null };
}

/** Every item of a range (bounded uses only: a week of hourly roll-ups, a month of incidents). */
export async function queryRangeAll(
  table: Table,
  request: Omit<RangePageRequest, 'limit' | 'cursor'>,
  maxItems = 5_000,
): Promise<Item[]> {
  const all: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryRangePage(table, { ...request, limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && all.length < maxItems);
  return all;
}

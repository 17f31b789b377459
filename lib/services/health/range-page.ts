/**
 * Time-range reads of health history and incidents: `Table.queryPage` over a sort-key range
 * (`BETWEEN from AND to`, bounds from `keys.timeRange`).
 */
import type { Item, Page, PageRequest, Table } from '../../store/table.js';

/** A page request over a sort-key range (`from`/`to` from `keys.timeRange`, inclusive). */
export type RangePageRequest = Omit<PageRequest, 'skPrefix' | 'skRange'> & { from: string; to: string };

/**
 * One page of `partition` between `from` and `to`, skipping expired items and those the filter
 * refuses.
 *
 * @throws BadRequestError `invalid_cursor` for a cursor of another list or range;
 *   ServiceUnavailableError when DynamoDB throttles.
 */
export function queryRangePage(table: Table, request: RangePageRequest): Promise<Page> {
  const { from, to, ...rest } = request;
  return table.queryPage({ ...rest, skRange: { from, to } });
}

/** Every item of a range (bounded uses only: a week of hourly roll-ups, a month of incidents). */
export function queryRangeAll(
  table: Table,
  request: Omit<RangePageRequest, 'limit' | 'cursor'>,
  maxItems = 5_000,
): Promise<Item[]> {
  const { from, to, ...rest } = request;
  return table.queryAll({ ...rest, skRange: { from, to } }, maxItems);
}

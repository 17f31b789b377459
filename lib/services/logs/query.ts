/**
 * Reads of the request log. A list reads the partitions of one index — the most selective filter
 * given (API key, team, model, provider, errors), else time — one day at a time, newest day first;
 * the shards of a day are read in parallel, each lazily, and merged by sort key (`<time>#<request
 * id>`, unique), so a page is exact whatever the filters: every other filter runs in code on the
 * merged order. The cursor is the sort key of the last record examined: the next page starts just
 * below it. Reads are bounded per call ({@link QUERY_ROUNDS} queries per shard partition read); a
 * sparse filter or a run of empty days may return a short (even empty) page with a cursor.
 */
import type { Principal } from '../../auth/roles.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/query.js';
import type { IndexName } from '../../store/table-schema.js';
import { canSeeModel, canSeeProvider, outOfScope } from '../actor.js';
import { MS } from '../usage/time.js';
import { REQUEST_LOG_SHARDS } from './record.js';
import { tagMatches } from './tags.js';

/** Filters of `GET /api/logs` (validated by the route's schema). */
export interface LogListQuery {
  from?: string | undefined;
  to?: string | undefined;
  api_key_id?: string | undefined;
  team_id?: string | undefined;
  provider_id?: string | undefined;
  model?: string | undefined;
  /** `success`, `error`, or an HTTP status. */
  status?: string | undefined;
  min_latency_ms?: number | undefined;
  cache?: string | undefined;
  tag?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * Queries one list call may send per shard partition it reads (`REQUEST_LOG_SHARDS` × the
 * partitions of its plan: 64 or 128) before it answers with what it has and a cursor. Each day
 * costs one query per shard partition to find its newest records (or that it is empty), so a page
 * covers at most this many days; the shards are queried in parallel, so this is also about the
 * number of round trips a page waits for. 3 bounds a page at 384 queries (≈ 192 RCU, 0.5 each).
 */
export const QUERY_ROUNDS = 3;

type Dimension = 'T' | 'E' | 'K' | 'P' | 'M' | 'G';
const INDEX_OF: Record<Dimension, IndexName> = {
  T: 'gsi1',
  E: 'gsi1',
  K: 'gsi2',
  P: 'gsi3',
  M: 'gsi4',
  G: 'gsi5',
};

/** The partitions (dimension and value) a query reads each day. */
function plan(query: LogListQuery): Array<{ dimension: Dimension; value: string }> {
  if (query.api_key_id) return [{ dimension: 'K', value: query.api_key_id }];
  if (query.team_id) return [{ dimension: 'G', value: query.team_id }];
  if (query.model) return [{ dimension: 'M', value: query.model }];
  if (query.provider_id) return [{ dimension: 'P', value: query.provider_id }];
  const status = query.status;
  if (status === 'error' || (status && /^\d+$/.test(status) && Number(status) >= 400)) {
    return [{ dimension: 'E', value: '' }];
  }
  if (status === 'success' || (status && /^\d+$/.test(status))) return [{ dimension: 'T', value: '' }];
  return [
    { dimension: 'T', value: '' },
    { dimension: 'E', value: '' },
  ];
}

/** Whether a principal may see a record: its provider, model and team inside the caller's scope. */
export function canSeeRecord(principal: Principal | undefined, item: Item): boolean {
  const provider = typeof item.provider_id === 'string' ? item.provider_id : '';
  const model = typeof item.model === 'string' ? item.model : '';
  if (principal?.providerIds && !canSeeProvider(principal, provider)) return false;
  if (principal?.modelIds && !canSeeModel(principal, model)) return false;
  return !principal?.teamId || item.team_id === principal.teamId;
}

function matcher(query: LogListQuery, principal: Principal | undefined) {
  return (item: Item): boolean => {
    if (item.entity !== 'request_log' || !canSeeRecord(principal, item)) return false;
    if (query.api_key_id && item.api_key_id !== query.api_key_id) return false;
    if (query.team_id && item.team_id !== query.team_id) return false;
    if (query.provider_id && item.provider_id !== query.provider_id) return false;
    if (query.model && item.model !== query.model) return false;
    const status = query.status;
    if (status === 'success' && item.outcome !== 'success') return false;
    if (status === 'error' && item.outcome !== 'error') return false;
    if (status && /^\d+$/.test(status) && item.status !== Number(status)) return false;
    if (query.min_latency_ms !== undefined && Number(item.latency_ms) < query.min_latency_ms) return false;
    if (query.cache && (item.cache ?? 'none') !== query.cache) return false;
    if (query.tag) {
      const tags = (item.tags ?? {}) as Record<string, string>;
      if (!tagMatches(query.tag, tags, typeof item.user === 'string' ? item.user : null)) return false;
    }
    return true;
  };
}

/** A record's sort key, or a day's upper bound (`yyyy-mm-ddT`). */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2}\.\d{3}Z(#[A-Za-z0-9_.:~-]{1,128})?)?$/;
const invalidCursor = () =>
  new BadRequestError('The cursor is not valid for this list.', { code: 'invalid_cursor' });

/** A cursor is the base64url of the sort key to continue below (exclusive). */
function decodeLogCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalidCursor();
  const sort = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!SORT_KEY.test(sort)) throw invalidCursor();
  return sort;
}
const encodeLogCursor = (sort: string) => Buffer.from(sort, 'utf8').toString('base64url');

/** One shard partition of one day, read lazily newest first. */
class ShardReader {
  private buffer: Item[] = [];
  private cursor: string | undefined;
  private done = false;
  private pageSize: number;

  constructor(
    private readonly deps: Gateway,
    private readonly request: { index: IndexName; partition: string; skRange: { from: string; to: string } },
    firstPage: number,
  ) {
    this.pageSize = firstPage;
  }

  /** The newest unread item, reading a page when the buffer is empty (counts the query in `budget`). */
  async head(budget: { left: number }): Promise<Item | undefined | 'budget'> {
    while (this.buffer.length === 0 && !this.done) {
      if (budget.left <= 0) return 'budget';
      budget.left--;
      const page = await this.deps.table.queryPage({
        ...this.request,
        limit: this.pageSize,
        cursor: this.cursor,
        newestFirst: true,
      });
      this.buffer = page.items;
      this.cursor = page.nextCursor ?? undefined;
      this.done = page.nextCursor === null;
      this.pageSize = Math.min(100, this.pageSize * 2);
    }
    return this.buffer[0];
  }

  take(): Item {
    return this.buffer.shift()!;
  }
}

const sortOf = (item: Item, index: IndexName) => String(item[`${index}sk`]);

/**
 * One page of request-log records, newest first, that the caller may see.
 *
 * @throws BadRequestError `invalid_cursor` for a forged cursor; `invalid_range` when `from` > `to`.
 */
export async function listRequestLogs(
  deps: Gateway,
  query: LogListQuery,
  principal?: Principal,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const now = deps.now();
  const to = new Date(query.to ? Date.parse(query.to) : now).toISOString();
  const from = new Date(
    query.from ? Date.parse(query.from) : now - deps.config.REQUEST_LOG_RETENTION_DAYS * MS.DAY,
  ).toISOString();
  if (from > to) throw new BadRequestError('`from` must not be after `to`.', { code: 'invalid_range' });
  // Everything strictly below `below`, down to `from`: the cursor moves `below` down.
  let below = query.cursor ? decodeLogCursor(query.cursor) : `${to}#~`;
  const keep = matcher(query, principal);
  const partitions = plan(query);
  const index = INDEX_OF[partitions[0]!.dimension];
  const shardPartitions = REQUEST_LOG_SHARDS * partitions.length;
  const budget = { left: QUERY_ROUNDS * shardPartitions };
  const items: Item[] = [];
  const firstPage = Math.max(2, Math.ceil((query.limit + 1) / shardPartitions) + 1);
  for (let day = below.slice(0, 10); day >= from.slice(0, 10); day = previousDay(day)) {
    // A day starts only when all its shards can be read once; the page's first day always can, so
    // every page moves the cursor down (a day left unread is the next page's first).
    if (budget.left < shardPartitions) return { items, nextCursor: encodeLogCursor(below) };
    const range = { from: from > `${day}T` ? from : `${day}T`, to: below };
    const readers = partitions.flatMap(({ dimension, value }) =>
      Array.from(
        { length: REQUEST_LOG_SHARDS },
        (_, shard) =>
          new ShardReader(
            deps,
            { index, partition: keys.requestLogPartition(dimension, value, day, shard), skRange: range },
            firstPage,
          ),
      ),
    );
    for (;;) {
      const heads = await Promise.all(readers.map((r) => r.head(budget)));
      if (heads.includes('budget')) return { items, nextCursor: encodeLogCursor(below) };
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i] as Item | undefined;
        if (head && (best < 0 || sortOf(head, index) > sortOf(heads[best] as Item, index))) best = i;
      }
      if (best < 0) break;
      const item = readers[best]!.take();
      const sort = sortOf(item, index);
      if (sort >= below) continue; // the exclusive bound of a cursor (BETWEEN is inclusive)
      if (items.length === query.limit) return { items, nextCursor: encodeLogCursor(below) };
      below = sort;
      if (keep(item)) items.push(item);
    }
    below = `${day}T`;
  }
  return { items, nextCursor: null };
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - MS.DAY).toISOString().slice(0, 10);
}

/** The stored record of a request the caller may see, and its payload item when asked for. */
export async function getRequestLog(
  deps: Gateway,
  requestId: string,
  principal: Principal | undefined,
  withPayload: boolean,
): Promise<{ record: Item; payload: Item | undefined }> {
  const record = await deps.table.get(keys.requestLog(requestId));
  if (record?.entity !== 'request_log') throw new NotFoundError('Request log');
  if (!canSeeRecord(principal, record)) throw outOfScope('Request log', requestId);
  const payload =
    withPayload && record.payload_logged === true
      ? await deps.table.get(keys.requestLog(requestId, 'PAYLOAD'))
      : undefined;
  return { record, payload };
}

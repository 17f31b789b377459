import { allows, type Principal } from '../auth/roles.js';
import { isScoped } from '../auth/scope.js';
import type { Gateway } from '../runtime/gateway.js';
import type { AuditListQuery } from '../schemas/audit.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import { keys } from '../store/keys.js';
import type { Item, Page } from '../store/table.js';
import { type AuditEvent, eventOf } from './hash.js';

/** Day partitions one page may walk before answering with a cursor (bounds an empty range). */
const MAX_DAYS_PER_PAGE = 31;
/** Above every 12-digit sequence: the exclusive start key that reads a whole day, newest first. */
const DAY_END_SK = '999999999999';
const DAY_MS = 86_400_000;

/** The page `GET /api/audit` answers. */
export interface AuditPage {
  data: AuditEvent[];
  next_cursor: string | null;
  has_more: boolean;
}

function matcher(query: AuditListQuery, principal: Principal | undefined) {
  return (item: Item): boolean => {
    const at = String(item.recorded_at ?? '');
    if (query.start && at < query.start) return false;
    if (query.end && at > query.end) return false;
    if (query.target_type && item.target_type !== query.target_type) return false;
    if (query.action) {
      const action = String(item.action ?? '');
      if (action !== query.action && !action.startsWith(`${query.action}.`)) return false;
    }
    return !principal || mayReadEvent(principal, item);
  };
}

/** Events about API keys, credentials and security refusals: readable with the `secrets` class only. */
const SECRET_TARGET_TYPES: ReadonlySet<string> = new Set(['api_key', 'credential', 'access']);

/** Events about keys, refusals and cache purges, which name keys and teams of every scope: unscoped readers only. */
const UNSCOPED_TARGET_TYPES: ReadonlySet<string> = new Set(['api_key', 'access', 'cache']);

/** Events that may name any model or team (rules, quotas): not for keys scoped to models or a team. */
const WIDE_TARGET_TYPES: ReadonlySet<string> = new Set(['routing_rule', 'quota']);

/**
 * Whether a caller may read an event: only events about objects it may read. API keys, credentials
 * and refusals need `secrets`, and key and refusal events an unscoped key; a key scoped to providers
 * sees the events of those providers only; a key scoped to models sees model events of its models
 * only, and no rule or quota events (they may name any model). A key of a team sees its own team's
 * events and no other team's, nor rule or quota events (they may name any team); team events name
 * no provider, so keys scoped to providers or models see none.
 */
export function mayReadEvent(principal: Principal, item: Item): boolean {
  const type = String(item.target_type ?? '');
  if (SECRET_TARGET_TYPES.has(type) && !allows('secrets', principal.role)) return false;
  if (UNSCOPED_TARGET_TYPES.has(type) && isScoped(principal)) return false;
  if (principal.teamId) {
    if (WIDE_TARGET_TYPES.has(type)) return false;
    if (type === 'team') return item.target_id === principal.teamId;
  }
  if (type === 'team' && principal.modelIds) return false;
  if (principal.providerIds) {
    if (typeof item.provider_id !== 'string' || !principal.providerIds.includes(item.provider_id))
      return false;
  }
  if (principal.modelIds) {
    if (WIDE_TARGET_TYPES.has(type)) return false;
    // Model events' target ids are `<provider id>:<model id>` (provider ids hold no colon).
    const targetId = String(item.target_id ?? '');
    if (type === 'model' && !principal.modelIds.includes(targetId.slice(targetId.indexOf(':') + 1))) {
      return false;
    }
  }
  return true;
}

const previousDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString().slice(0, 10);

/** The day partition a day-walk cursor points into (validated as a key of that partition). */
function dayOfCursor(cursor: string): string {
  let pk = '';
  try {
    pk = String(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))?.pk ?? '');
  } catch {
    pk = '';
  }
  const day = /^AUDIT#(\d{4}-\d{2}-\d{2})$/.exec(pk)?.[1] ?? '0000-00-00';
  decodeCursor(cursor, { attribute: 'pk', value: keys.auditDay(day) });
  return day;
}

/** Every event, newest first, day partition by day partition from `end` back to `start`. */
async function walkDays(
  deps: Gateway,
  query: AuditListQuery,
  filter: (item: Item) => boolean,
): Promise<Page> {
  const nowIso = new Date(deps.now()).toISOString();
  const retentionStart = new Date(deps.now() - deps.config.AUDIT_RETENTION_DAYS * DAY_MS).toISOString();
  // Nothing is older than the chain's first day (the head records it): stop there.
  const head = await deps.table.get(keys.auditHead());
  const chainStart = typeof head?.first_day === 'string' ? head.first_day : nowIso.slice(0, 10);
  const requested = (query.start ?? retentionStart).slice(0, 10);
  const firstDay = [requested, chainStart].sort()[1]!;
  let day = (query.end ?? nowIso).slice(0, 10);
  let cursor: string | undefined;
  if (query.cursor) {
    day = dayOfCursor(query.cursor);
    cursor = query.cursor;
  }
  const items: Item[] = [];
  for (let walked = 0; walked < MAX_DAYS_PER_PAGE && day >= firstDay; walked++) {
    const page = await deps.table.queryPage({
      partition: keys.auditDay(day),
      limit: query.limit - items.length,
      cursor,
      filter,
      newestFirst: true,
    });
    items.push(...page.items);
    if (page.nextCursor) return { items, nextCursor: page.nextCursor };
    day = previousDay(day);
    cursor = undefined;
    if (items.length === query.limit) break;
  }
  if (day < firstDay) return { items, nextCursor: null };
  return { items, nextCursor: encodeCursor({ pk: keys.auditDay(day), sk: DAY_END_SK }) };
}

/**
 * Lists audit events, newest first. By actor or by target it reads that index's partition; otherwise
 * it walks the day partitions. Action, type and time are filtered on the way, and a key scoped to
 * providers sees only their events. Pages are bounded; a page may be short (even empty) with a
 * cursor when the filter is sparse.
 */
export async function listAuditEvents(
  deps: Gateway,
  query: AuditListQuery,
  principal?: Principal,
): Promise<AuditPage> {
  const filter = matcher(query, principal);
  let page: Page;
  if (query.actor !== undefined) {
    page = await deps.table.queryPage({
      index: 'gsi1',
      partition: keys.auditActorPartition(query.actor),
      limit: query.limit,
      cursor: query.cursor,
      filter,
      newestFirst: true,
    });
  } else if (query.target_type !== undefined && query.target_id !== undefined) {
    page = await deps.table.queryPage({
      index: 'gsi2',
      partition: keys.auditTargetPartition(query.target_type, query.target_id),
      limit: query.limit,
      cursor: query.cursor,
      filter,
      newestFirst: true,
    });
  } else {
    page = await walkDays(deps, query, filter);
  }
  return { data: page.items.map(eventOf), next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
}

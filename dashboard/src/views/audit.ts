import { ApiError, type ListPage, list } from '../api.js';
import { empty, h, when } from '../dom.js';
import { pagedTable } from '../paged.js';

/** `GET /api/audit` entries, as far as the page shows them. */
interface AuditEvent {
  at: string;
  actor_key_id: string;
  action: string;
  target_type: string;
  target_id: string;
  changes?: Record<string, unknown>;
  request_id: string | null;
  source_ip: string | null;
}

/**
 * The audit log, newest first. The endpoint is newer than the rest of the admin API: a gateway
 * without it answers 404, shown as "not available" rather than as an empty log.
 */
export async function auditView(): Promise<HTMLElement> {
  let entries: ListPage<AuditEvent>;
  try {
    entries = await list<AuditEvent>('/api/audit?limit=50');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'route_not_found') {
      return empty(
        'The audit log is not available on this gateway (GET /api/audit answered 404). It will appear here once the gateway serves it.',
      );
    }
    throw error;
  }
  if (entries.data.length === 0) return empty('The audit log is empty: no changes have been recorded yet.');
  return pagedTable({
    caption: (n, more) => `${n} most recent change(s), newest first${more ? ' (more to show)' : ''}`,
    head: ['When', 'Actor', 'Action', 'Target', 'Fields changed', 'Request', 'Source IP'],
    first: entries,
    cells: (e) => [
      when(e.at),
      h('code', {}, e.actor_key_id),
      h('span', { class: 'strong' }, e.action),
      `${e.target_type} ${e.target_id}`,
      Object.keys(e.changes ?? {}).join(', ') || '—',
      e.request_id ?? '—',
      e.source_ip ?? '—',
    ],
    path: (cursor) => `/api/audit?limit=50&cursor=${encodeURIComponent(cursor)}`,
  });
}

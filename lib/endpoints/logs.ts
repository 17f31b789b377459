import { allows } from '../auth/roles.js';
import type { HandlerRequest } from '../http/handler.js';
import { Reply } from '../http/handler.js';
import {
  requestLogsCsv,
  requestLogsNdjson,
  toRequestLog,
  toRequestLogWithPayload,
} from '../services/logs/mapper.js';
import { getRequestLog, type LogListQuery, listRequestLogs } from '../services/logs/query.js';
import { wantsCsv } from './usage-reply.js';

/** Whether an `Accept` header asks for NDJSON (`application/x-ndjson` or `application/jsonl`). */
function wantsNdjson(accept: string | undefined): boolean {
  return /application\/(x-ndjson|jsonl|x-jsonlines)/i.test(accept ?? '');
}

/**
 * `GET /api/logs`: a page of records as JSON (`{data, next_cursor, has_more}`), or as CSV or NDJSON
 * by `Accept`, with the next page's cursor in `x-next-cursor` (absent on the last page).
 */
export async function serveLogList(request: HandlerRequest<unknown, LogListQuery, unknown>) {
  const page = await listRequestLogs(request.deps, request.query, request.principal);
  const data = page.items.map(toRequestLog);
  const accept = request.headers.accept;
  const cursorHeader: Record<string, string> = page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {};
  if (wantsNdjson(accept)) {
    return new Reply(200, requestLogsNdjson(data), {
      'content-type': 'application/x-ndjson',
      ...cursorHeader,
    });
  }
  if (wantsCsv(accept)) {
    return new Reply(200, requestLogsCsv(data), {
      'content-type': 'text/csv; charset=utf-8',
      ...cursorHeader,
    });
  }
  return { data, next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
}

/**
 * `GET /api/logs/{request_id}`: one record; its payload (redacted, capped bodies) only for a caller
 * of the `secrets` class, and only when payload logging was on for the request.
 */
export async function serveLogGet(request: HandlerRequest<unknown, unknown, { request_id: string }>) {
  const mayReadPayload = allows('secrets', request.principal.role);
  const { record, payload } = await getRequestLog(
    request.deps,
    request.params.request_id,
    request.principal,
    mayReadPayload,
  );
  return mayReadPayload ? toRequestLogWithPayload(record, payload) : toRequestLog(record);
}

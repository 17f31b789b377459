import type { Item } from '../../store/query.js';
import { cell } from '../usage/csv.js';
import { nanosToUsd } from '../usage/units.js';

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/**
 * The public view of a request-log record (`GET /api/logs`). Key attributes stay inside; the
 * payload is never part of it (see {@link toRequestLogWithPayload}).
 */
export function toRequestLog(item: Item) {
  return {
    request_id: String(item.request_id),
    at: String(item.at),
    api_key_id: String(item.api_key_id),
    team_id: str(item.team_id),
    route: String(item.route),
    service_type: str(item.service_type),
    model_requested: str(item.model_requested),
    provider_id: str(item.provider_id),
    provider_name: str(item.provider_name),
    model: str(item.model),
    stream: item.stream === true,
    attempts: Array.isArray(item.attempts) ? (item.attempts as Array<Record<string, unknown>>) : [],
    status: Number(item.status),
    outcome: item.outcome === 'error' ? ('error' as const) : ('success' as const),
    error_code: str(item.error_code),
    latency_ms: {
      total: num(item.latency_ms) ?? 0,
      upstream: num(item.upstream_ms) ?? 0,
      gateway: num(item.overhead_ms) ?? 0,
    },
    ttfb_ms: num(item.ttfb_ms),
    tokens: {
      input: num(item.input_tokens) ?? 0,
      output: num(item.output_tokens) ?? 0,
      cached: num(item.cached_input_tokens) ?? 0,
    },
    cost_usd: nanosToUsd(num(item.cost_nanos) ?? 0),
    cache: str(item.cache),
    limits: { rate_limit: str(item.rate_limit), quota: str(item.quota) },
    client_ip: str(item.client_ip),
    user_agent: str(item.user_agent),
    tags: (item.tags && typeof item.tags === 'object' ? item.tags : {}) as Record<string, string>,
    user: str(item.user),
    payload_logged: item.payload_logged === true,
  };
}
export type RequestLogView = ReturnType<typeof toRequestLog>;

/** A record with its payload (bodies as stored: redacted, capped), for a caller of the `secrets` class. */
export function toRequestLogWithPayload(record: Item, payload: Item | undefined) {
  const body = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : null);
  return {
    ...toRequestLog(record),
    payload: payload ? { request: body(payload.request), response: body(payload.response) } : null,
  };
}

const COLUMNS: Array<[string, (r: RequestLogView) => unknown]> = [
  ['request_id', (r) => r.request_id],
  ['at', (r) => r.at],
  ['api_key_id', (r) => r.api_key_id],
  ['team_id', (r) => r.team_id],
  ['route', (r) => r.route],
  ['model_requested', (r) => r.model_requested],
  ['provider_id', (r) => r.provider_id],
  ['model', (r) => r.model],
  ['status', (r) => r.status],
  ['outcome', (r) => r.outcome],
  ['error_code', (r) => r.error_code],
  ['attempts', (r) => r.attempts.length],
  ['latency_ms', (r) => r.latency_ms.total],
  ['upstream_ms', (r) => r.latency_ms.upstream],
  ['gateway_ms', (r) => r.latency_ms.gateway],
  ['ttfb_ms', (r) => r.ttfb_ms],
  ['input_tokens', (r) => r.tokens.input],
  ['output_tokens', (r) => r.tokens.output],
  ['cached_tokens', (r) => r.tokens.cached],
  ['cost_usd', (r) => r.cost_usd],
  ['cache', (r) => r.cache],
  ['rate_limit', (r) => r.limits.rate_limit],
  ['quota', (r) => r.limits.quota],
  ['client_ip', (r) => r.client_ip],
  ['user_agent', (r) => r.user_agent],
  ['user', (r) => r.user],
  ['tags', (r) => (Object.keys(r.tags).length ? JSON.stringify(r.tags) : null)],
];

/** Records as CSV (RFC 4180, CRLF, formula-safe cells): a header, then one line per record. */
export function requestLogsCsv(records: readonly RequestLogView[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const r of records) lines.push(COLUMNS.map(([, get]) => cell(get(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Records as NDJSON: one JSON object per line. */
export function requestLogsNdjson(records: readonly RequestLogView[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

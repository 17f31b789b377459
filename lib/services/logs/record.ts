/**
 * A finished request-log draft as the items the table stores: the record (`LOG#<request id>` /
 * `LOG`, findable by id, and by time, errors, API key, provider, model and team through the
 * indexes) and, when payload logging was on for the request, its bodies (`PAYLOAD`, read only by
 * callers of the `secrets` class). See `docs/data-model.md` for the partition arithmetic.
 */
import type { Gateway } from '../../runtime/gateway.js';
import { keys, shardOfId } from '../../store/keys.js';
import type { Item } from '../../store/query.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { costOf } from '../usage/cost.js';
import { pricingAt } from '../usage/pricing-cache.js';
import { MS } from '../usage/time.js';
import type { RequestLogDraft } from './draft.js';
import { redactionsOf, storedBody } from './payload.js';

/**
 * Shards of every request-log index partition per day. A record goes to shard
 * `hash(request id) mod N` of each of its partitions, so the busiest single partition (one key,
 * provider or model taking all the traffic) gets 1/N of it; readers query the N shards in parallel
 * and merge by time. A record is ≈ 2 WCU per index copy, so at 10,000 req/s from one key, provider
 * or model a shard takes 10,000 × 2 / 64 ≈ 312 WCU/s, 31 % of a partition's 1,000 (docs/scale.md).
 * Only ever grow it: readers query shards 0..N-1, which covers records written under a smaller N
 * (versions before 64 used 4).
 */
export const REQUEST_LOG_SHARDS = 64;

/** How a request ended, known once its response is complete. */
export interface LogOutcome {
  status: number;
  errorCode: string | null;
  /** `performance.now()` when the response completed. */
  endedAt: number;
}

/** The shard of a request's partitions: stable per request id, spread evenly. */
export function shardOf(requestId: string): number {
  return shardOfId(requestId, REQUEST_LOG_SHARDS);
}

/** `yyyy-mm-dd` (UTC) of an epoch-ms time: the day partition. */
export const dayOf = (atMs: number) => new Date(atMs).toISOString().slice(0, 10);

const round = (ms: number) => Math.round(ms * 100) / 100;

async function costNanosOf(deps: Gateway, draft: RequestLogDraft): Promise<number> {
  if (!draft.usage || !draft.provider || !draft.model) return 0;
  try {
    const pricing = await pricingAt(deps, {
      providerId: draft.provider.id,
      modelId: draft.model,
      atMs: draft.atMs,
    });
    return costOf(pricing, draft.usage).nanos;
  } catch {
    return 0; // usage the price cannot read (already logged by the usage recorder) costs nothing here
  }
}

/** The index keys of a record: time (or errors by time), key, provider, model, team. */
function indexKeys(draft: RequestLogDraft, failed: boolean, sort: string) {
  const day = dayOf(draft.atMs);
  const shard = shardOf(draft.requestId);
  const part = keys.requestLogPartition;
  return {
    gsi1pk: part(failed ? 'E' : 'T', '', day, shard),
    gsi1sk: sort,
    gsi2pk: part('K', draft.apiKeyId, day, shard),
    gsi2sk: sort,
    ...(draft.provider ? { gsi3pk: part('P', draft.provider.id, day, shard), gsi3sk: sort } : {}),
    ...(draft.model ? { gsi4pk: part('M', draft.model, day, shard), gsi4sk: sort } : {}),
    ...(draft.teamId ? { gsi5pk: part('G', draft.teamId, day, shard), gsi5sk: sort } : {}),
  };
}

/**
 * The items of a finished request: its record and, when payloads are logged for it, the payload
 * item (bodies redacted and capped by `LOG_REDACT` and `LOG_PAYLOAD_MAX_BYTES`). Both expire
 * `REQUEST_LOG_RETENTION_DAYS` after the request. Cost is priced from the cached catalog (no read
 * in steady state); a price that cannot be read counts 0.
 */
export async function logItems(deps: Gateway, draft: RequestLogDraft, outcome: LogOutcome): Promise<Item[]> {
  const failed = outcome.status >= 400 || draft.streamFailed;
  const at = new Date(draft.atMs).toISOString();
  const sort = keys.requestLogSort(at, draft.requestId);
  const ttl = Math.floor(draft.atMs / 1000) + deps.config.REQUEST_LOG_RETENTION_DAYS * (MS.DAY / 1000);
  const total = Math.max(0, outcome.endedAt - draft.receivedAt);
  const usage = draft.usage;
  const record: Item = {
    ...keys.requestLog(draft.requestId),
    ...indexKeys(draft, failed, sort),
    entity: 'request_log',
    request_id: draft.requestId,
    at,
    api_key_id: draft.apiKeyId,
    team_id: draft.teamId,
    route: draft.route,
    service_type: draft.serviceType,
    model_requested: draft.modelRequested,
    provider_id: draft.provider?.id ?? null,
    provider_name: draft.provider?.name ?? null,
    model: draft.model,
    stream: draft.stream,
    attempts: draft.attempts,
    status: outcome.status,
    outcome: failed ? 'error' : 'success',
    error_code: outcome.errorCode ?? (draft.streamFailed ? 'stream_interrupted' : null),
    latency_ms: round(total),
    upstream_ms: round(draft.upstreamMs),
    overhead_ms: round(Math.max(0, total - draft.upstreamMs)),
    ttfb_ms: draft.ttfbMs === null ? null : round(draft.ttfbMs),
    input_tokens: usage?.input_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? 0,
    cached_input_tokens: usage?.cached_input_tokens ?? 0,
    cost_nanos: failed ? 0 : await costNanosOf(deps, draft),
    cache: draft.cache,
    rate_limit: draft.rateLimit,
    quota: draft.quota,
    client_ip: draft.clientIp,
    user_agent: draft.userAgent,
    tags: draft.tags.tags,
    user: draft.tags.user,
    payload_logged: draft.logPayload,
    [TABLE_SCHEMA.ttlAttribute]: ttl,
  };
  if (!draft.logPayload) return [record];
  const caps = { maxBytes: deps.config.LOG_PAYLOAD_MAX_BYTES, redact: redactionsOf(deps.config.LOG_REDACT) };
  const payload: Item = {
    ...keys.requestLog(draft.requestId, 'PAYLOAD'),
    entity: 'request_log_payload',
    request_id: draft.requestId,
    api_key_id: draft.apiKeyId,
    request: storedBody(draft.payload.request, caps),
    response: storedBody(draft.payload.response, caps),
    [TABLE_SCHEMA.ttlAttribute]: ttl,
  };
  return [record, payload];
}

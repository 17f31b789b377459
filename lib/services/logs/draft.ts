/**
 * The request-log record of one AI request while it is served: the HTTP layer opens it (who, when,
 * which route, the caller's tags), the AI pipeline fills it (model asked for, candidates tried,
 * usage, limits), and the HTTP layer closes it with the final status once the response is complete.
 * A plain mutable object: it lives for one invocation and is written once (see `writer.ts`).
 */
import type { NormalizedUsage } from '../../ai/types.js';
import type { CacheOutcome, LimitDecision } from '../../schemas/vocabulary.js';
import type { RequestTags } from './tags.js';

/** One upstream call of a request (the failover machinery's report). */
export interface LogAttempt {
  provider_id: string;
  model: string;
  /** Upstream HTTP status; `null` when no answer arrived (timeout, connection error) or for a gate refusal. */
  status: number | null;
  /** Milliseconds from the call to its answer (a stream: its first byte). */
  latency_ms: number;
  /** The failure class (`rate_limit`, `server_error`, `timeout`, `fatal`, ...); `null` on success. */
  failure: string | null;
}

/** What a request's payload logging captured (before redaction and caps). */
export interface CapturedPayload {
  request: unknown;
  /** The answer's body: a JSON value, or the text of a stream (SSE) as sent. */
  response: unknown;
}

export interface RequestLogDraft {
  requestId: string;
  /** Epoch ms when the request arrived (the record's time). */
  atMs: number;
  /** `performance.now()` at arrival, for the total latency. */
  receivedAt: number;
  route: string;
  apiKeyId: string;
  teamId: string | null;
  /** The caller's scope, to decide payload logging for its key. */
  clientIp: string;
  userAgent: string | null;
  tags: RequestTags;
  serviceType: string | null;
  modelRequested: string | null;
  stream: boolean;
  provider: { id: string; name: string } | null;
  model: string | null;
  attempts: LogAttempt[];
  upstreamMs: number;
  /** Milliseconds from arrival to the first byte of a streamed answer; `null` for buffered answers. */
  ttfbMs: number | null;
  usage: NormalizedUsage | null;
  /** A stream that broke after its first byte is an error though its status is 200. */
  streamFailed: boolean;
  /** The response cache's outcome for this request; `null` where no cache applies. */
  cache: CacheOutcome | null;
  rateLimit: LimitDecision | null;
  quota: LimitDecision | null;
  /** Set by whoever decides payloads are logged for this request (global, key or routing rule). */
  logPayload: boolean;
  payload: CapturedPayload;
}

/** Opens the record of a request as it arrives. */
export function openDraft(input: {
  requestId: string;
  atMs: number;
  receivedAt: number;
  route: string;
  apiKeyId: string;
  teamId: string | undefined;
  clientIp: string;
  userAgent: string | undefined;
  tags: RequestTags;
  logPayload: boolean;
}): RequestLogDraft {
  return {
    requestId: input.requestId,
    atMs: input.atMs,
    receivedAt: input.receivedAt,
    route: input.route,
    apiKeyId: input.apiKeyId,
    teamId: input.teamId ?? null,
    clientIp: input.clientIp,
    userAgent: input.userAgent ? input.userAgent.slice(0, 256) : null,
    tags: input.tags,
    serviceType: null,
    modelRequested: null,
    stream: false,
    provider: null,
    model: null,
    attempts: [],
    upstreamMs: 0,
    ttfbMs: null,
    usage: null,
    streamFailed: false,
    cache: null,
    rateLimit: null,
    quota: null,
    logPayload: input.logPayload,
    payload: { request: null, response: null },
  };
}

/**
 * The HTTP side of the request log: opens a record when an AI route's invocation starts, captures
 * the bodies when payload logging is on for the request, and queues the record's write after the
 * response (the invocation's deferred tasks) with the status the caller saw.
 */
import { Readable } from 'node:stream';
import type { Principal } from '../auth/roles.js';
import { GatewayError } from '../errors.js';
import type { Gateway } from '../runtime/gateway.js';
import { openDraft, type RequestLogDraft } from '../services/logs/draft.js';
import { logItems } from '../services/logs/record.js';
import { requestTags } from '../services/logs/tags.js';
import { writeRequestLog } from '../services/logs/writer.js';
import { Reply } from './response.js';

/** Opens the record of an AI request for an authenticated caller (tags are read with the body). */
export function openRequestLog(input: {
  deps: Gateway;
  principal: Principal;
  requestId: string;
  route: string;
  receivedAt: number;
  sourceIp: string;
  headers: Record<string, string>;
}): RequestLogDraft {
  const { deps, principal } = input;
  return openDraft({
    requestId: input.requestId,
    atMs: deps.now(),
    receivedAt: input.receivedAt,
    route: input.route,
    apiKeyId: principal.keyId,
    teamId: principal.teamId,
    clientIp: input.sourceIp,
    userAgent: input.headers['user-agent'],
    tags: { tags: {}, user: null },
    logPayload: deps.config.LOG_PAYLOADS === 'on' || principal.logPayloads === true,
  });
}

/**
 * Reads the request's tags (`x-gateway-metadata`, OpenAI `metadata` and `user`) and keeps the body
 * for payload logging (uploaded files are replaced by their size).
 *
 * @throws BadRequestError `invalid_metadata` for a malformed `x-gateway-metadata` header.
 */
export function noteRequestBody(
  draft: RequestLogDraft,
  headers: Record<string, string>,
  body: unknown,
): void {
  draft.tags = requestTags(headers['x-gateway-metadata'], body);
  draft.payload.request = withoutFiles(body);
}

function withoutFiles(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const data = (value as { data?: unknown } | null)?.data;
    out[name] = Buffer.isBuffer(data) ? `[file: ${data.length} bytes]` : value;
  }
  return out;
}

/** Largest text kept from a streamed answer for its payload (the payload cap cuts it further). */
const STREAM_CAPTURE_BYTES = 262_144;

/** Passes a binary stream on, its payload recorded as its size so far. */
async function* countBytes(draft: RequestLogDraft, source: Readable): AsyncGenerator<Uint8Array, void> {
  let total = 0;
  draft.payload.response = '[binary: 0 bytes]';
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    draft.payload.response = `[binary: ${total} bytes]`;
    yield chunk;
  }
}

/**
 * Keeps the answer's body for payload logging when it is on for the request: a JSON value as it
 * is, a binary answer (bytes or a binary stream) as its size, a text stream by a tap that copies what passes (bounded) and hands
 * the same bytes on. Returns the reply to send (the same one unless a stream was tapped).
 */
export function captureReply(draft: RequestLogDraft | undefined, reply: Reply): Reply {
  if (!draft?.logPayload) return reply;
  const body = reply.body as unknown;
  if (body instanceof Uint8Array) {
    draft.payload.response = `[binary: ${body.length} bytes]`;
    return reply;
  }
  if (!(body instanceof Readable)) {
    draft.payload.response = body;
    return reply;
  }
  if (/^(audio|video|image)\/|^application\/octet-stream/i.test(reply.headers['content-type'] ?? '')) {
    return new Reply(
      reply.status,
      Readable.from(countBytes(draft, body), { objectMode: false }),
      reply.headers,
    );
  }
  let kept = '';
  const tap = async function* (source: Readable) {
    for await (const chunk of source) {
      if (kept.length < STREAM_CAPTURE_BYTES)
        kept += String(chunk).slice(0, STREAM_CAPTURE_BYTES - kept.length);
      draft.payload.response = kept;
      yield chunk;
    }
  };
  return new Reply(reply.status, Readable.from(tap(body)), reply.headers);
}

/**
 * Queues the record's write after the response: `defer` runs it once the answer is complete (a
 * stream: after its end), so the record carries the stream's outcome, usage and total latency.
 */
export function queueRequestLog(
  defer: (task: () => Promise<void>) => void,
  deps: Gateway,
  draft: RequestLogDraft,
  result: { status: number; error?: unknown },
): void {
  const error = result.error;
  const errorCode =
    result.status < 400 ? null : error instanceof GatewayError ? error.code : error ? 'internal_error' : null;
  defer(async () => {
    const items = await logItems(deps, draft, {
      status: result.status,
      errorCode,
      endedAt: performance.now(),
    });
    await writeRequestLog(deps, items);
  });
}

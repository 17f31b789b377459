import { Readable } from 'node:stream';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { anthropicErrorType } from '../ai/anthropic-errors.js';
import { GatewayError } from '../errors.js';

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response with the gateway's standard headers. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  if (statusCode === 204) return { statusCode, headers: { 'x-request-id': requestId, ...headers }, body: '' };
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'x-request-id': requestId, ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The error envelope `{"error": {code, message, request_id, details?}}`. Errors that are not
 * {@link GatewayError}s, and 5xx errors that do not expose their message, become a generic 500
 * whose text reveals nothing about the internals.
 */
export function errorResponse(error: unknown, requestId: string, style?: 'anthropic'): APIGatewayProxyResult {
  const result = gatewayErrorResponse(error, requestId);
  if (style !== 'anthropic') return result;
  // Anthropic's SDK reads `{type: "error", error: {type, message}}`; our fields stay inside.
  const body = JSON.parse(result.body) as { error: Record<string, unknown> };
  const anthropic = { type: 'error', error: { type: anthropicErrorType(error), ...body.error } };
  return { ...result, body: JSON.stringify(anthropic) };
}

function gatewayErrorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof GatewayError && error.expose) {
    return jsonResponse(
      error.statusCode,
      {
        error: {
          code: error.code,
          message: error.message,
          request_id: requestId,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      },
      requestId,
      error.headers,
    );
  }
  const status = error instanceof GatewayError ? error.statusCode : 500;
  const code = error instanceof GatewayError ? error.code : 'internal_error';
  return jsonResponse(
    status,
    { error: { code, message: 'An internal error occurred.', request_id: requestId } },
    requestId,
    error instanceof GatewayError ? error.headers : {},
  );
}

/**
 * A handler result with an explicit status or headers; a plain value is sent with the route's
 * status. On a streaming route the body may be a `Readable`, piped to the client as it is produced.
 * A string body with a non-JSON `content-type` header (e.g. `text/csv`) is sent as is.
 */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const SAFE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** Whether explicit reply headers name a non-JSON content type (the body is then sent as is). */
const isText = (headers: Record<string, string>) => {
  const type = headers['content-type'];
  // NDJSON is text: only JSON itself (and `+json` types) is serialised.
  return type !== undefined && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type);
};

/**
 * The proxy result of a handler's reply: a `Readable` is streamed (middy pipes it after API
 * Gateway's prelude), bytes travel base64-encoded (API Gateway's binary media types), a string
 * with a non-JSON content type is sent as is (CSV), anything else as JSON.
 */
export function replyResponse(reply: Reply, requestId: string): APIGatewayProxyResult {
  const headers = { ...SAFE_HEADERS, 'x-request-id': requestId, ...reply.headers };
  if (reply.body instanceof Readable) {
    return { statusCode: reply.status, headers, body: reply.body as unknown as string };
  }
  if (reply.body instanceof Uint8Array) {
    return {
      statusCode: reply.status,
      headers,
      body: Buffer.from(reply.body).toString('base64'),
      isBase64Encoded: true,
    };
  }
  if (typeof reply.body === 'string' && isText(reply.headers)) {
    return { statusCode: reply.status, headers, body: reply.body };
  }
  return jsonResponse(reply.status, reply.body, requestId, reply.headers);
}

import type { APIGatewayProxyResult } from 'aws-lambda';
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
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
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

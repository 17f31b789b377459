/**
 * Anthropic's error envelope for gateway and upstream errors: what `/v1/messages` answers (its
 * routes declare `errorStyle: 'anthropic'`) and what its streams send as an `error` event. Kept
 * apart from the Messages translation so the HTTP layer can shape errors without loading it.
 */
import { GatewayError } from '../errors.js';
import { UpstreamError, type UpstreamErrorType } from '../upstream/errors.js';

const ERROR_TYPES: Partial<Record<UpstreamErrorType, string>> = {
  invalid_request: 'invalid_request_error',
  unsupported: 'invalid_request_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  quota_exceeded: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
};

const BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
};

/** Anthropic's error `type` for a gateway error (`api_error` for anything else). */
export function anthropicErrorType(error: unknown): string {
  if (error instanceof UpstreamError) return ERROR_TYPES[error.type] ?? 'api_error';
  if (error instanceof GatewayError) return BY_STATUS[error.statusCode] ?? 'api_error';
  return 'api_error';
}

/**
 * The `{"type": "error", "error": {type, message}}` envelope (also the payload of a stream `error`
 * event). Messages of unexposed errors are replaced, as in the gateway's own envelope.
 */
export function anthropicErrorBody(error: unknown): {
  type: 'error';
  error: { type: string; message: string };
} {
  const message =
    error instanceof GatewayError && error.expose ? error.message : 'An internal error occurred.';
  return { type: 'error', error: { type: anthropicErrorType(error), message } };
}

/**
 * Bedrock SDK errors → `UpstreamError`. Service exceptions are classified by name (throttling,
 * quotas, model readiness) and otherwise by their HTTP status; errors without a status are transport
 * faults (connect, refused address, abort) and go through the shared transport normalizer.
 */

import type { ArmedBudget } from '../../upstream/budget.js';
import { classifyStatus } from '../../upstream/classify.js';
import {
  sanitizeUpstreamText,
  UpstreamError,
  type UpstreamErrorType,
  upstreamTypeOf,
} from '../../upstream/errors.js';
import { retryAfterFromHeaders } from '../../upstream/retry-after.js';
import { normalizeTransportError } from '../../upstream/transport-errors.js';

const PROVIDER = 'bedrock';

/** Exceptions whose name decides the class, whatever the status. */
const BY_NAME: Record<string, { type: UpstreamErrorType; retryable: boolean; status: number }> = {
  ThrottlingException: { type: 'rate_limited', retryable: true, status: 429 },
  ModelNotReadyException: { type: 'overloaded', retryable: true, status: 429 },
  ServiceUnavailableException: { type: 'overloaded', retryable: true, status: 503 },
  InternalServerException: { type: 'server_error', retryable: true, status: 500 },
  ModelStreamErrorException: { type: 'server_error', retryable: true, status: 424 },
  ModelTimeoutException: { type: 'timeout', retryable: true, status: 408 },
  ServiceQuotaExceededException: { type: 'quota_exceeded', retryable: false, status: 400 },
  ValidationException: { type: 'invalid_request', retryable: false, status: 400 },
  AccessDeniedException: { type: 'permission', retryable: false, status: 403 },
  UnrecognizedClientException: { type: 'authentication', retryable: false, status: 403 },
  ResourceNotFoundException: { type: 'not_found', retryable: false, status: 404 },
};

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
}

/**
 * Normalizes anything the Bedrock SDK (or our budget) threw.
 *
 * @param secrets - values to strip from messages (a bearer token).
 */
export function bedrockError(
  error: unknown,
  budget: ArmedBudget | undefined,
  options: { now: number; secrets?: readonly (string | undefined)[]; phase?: 'connect' | 'body' },
): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const named = sdk.name === undefined ? undefined : BY_NAME[sdk.name];
  const status = sdk.$metadata?.httpStatusCode ?? named?.status;
  if (budget?.aborted() !== undefined || status === undefined) {
    return normalizeTransportError(error, PROVIDER, budget, options.phase ?? 'connect');
  }
  if (status >= 200 && status < 300 && named === undefined) {
    return new UpstreamError({
      provider: PROVIDER,
      type: 'bad_upstream_response',
      retryable: false,
      upstreamStatus: status,
      message: 'bedrock sent a response the SDK could not read',
      cause: error,
    });
  }
  const { type, retryable } = named ?? classifyStatus(status);
  const text = sanitizeUpstreamText(sdk.message ?? sdk.name ?? 'the provider failed', options.secrets);
  return new UpstreamError({
    provider: PROVIDER,
    type,
    retryable,
    upstreamStatus: status,
    upstreamType: upstreamTypeOf(sdk.name),
    retryAfterMs: retryAfterFromHeaders(sdk.$response?.headers ?? {}, options.now),
    message: `bedrock answered ${status}: ${text}`,
    cause: error,
  });
}

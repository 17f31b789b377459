/**
 * Reading OpenAI-style error bodies: `{"error": {"message", "type", "code"}}` from OpenAI, and the
 * variants compatible servers send (`{"object": "error", "message"}` from vLLM, `{"error": "..."}`
 * from TGI, `{"detail": "..."}` from FastAPI servers, `{"message": "..."}`).
 */
import { path, str } from '../../ai/read.js';
import type { ProviderErrorFacts } from '../../upstream/classify.js';
import type { ErrorResponse } from '../../upstream/http-client.js';

/** Codes OpenAI uses when the account's spend or quota is exhausted (a 429 that retrying cannot cure). */
const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);

/** Reads an OpenAI-compatible error body. */
export function openAIErrorFacts(response: ErrorResponse): ProviderErrorFacts {
  const body = response.body;
  const error = path(body, 'error');
  const message =
    str(path(error, 'message')) ??
    str(error) ??
    str(path(body, 'message')) ??
    str(path(body, 'detail')) ??
    str(path(body, 'detail', 'message'));
  const code = str(path(error, 'code')) ?? str(path(body, 'code'));
  const type = str(path(error, 'type')) ?? str(path(body, 'type')) ?? str(path(body, 'error_type'));
  const quotaExhausted = [code, type].some((value) => value !== undefined && QUOTA_CODES.has(value));
  return { message, upstreamType: code ?? type, quotaExhausted };
}

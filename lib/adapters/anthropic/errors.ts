/**
 * Anthropic error bodies: `{"type": "error", "error": {"type": "rate_limit_error", "message"}}`.
 * A low credit balance comes as a 400 `invalid_request_error`; it is reported as `quota_exceeded`.
 */
import { path, str } from '../../ai/read.js';
import type { ProviderErrorFacts } from '../../upstream/classify.js';

/** Reads an Anthropic error body (also the payload of an in-stream `error` event). */
export function anthropicErrorFacts(body: unknown): ProviderErrorFacts {
  const message = str(path(body, 'error', 'message')) ?? str(path(body, 'message'));
  const type = str(path(body, 'error', 'type'));
  const quotaExhausted =
    type === 'billing_error' || (message !== undefined && /credit balance/i.test(message));
  return { message, upstreamType: type, quotaExhausted };
}

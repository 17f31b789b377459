/**
 * Cohere error bodies: `{"id", "message"}`. A trial key's monthly allowance and a payment problem are
 * quota exhaustion (not cured by a retry), even when Cohere answers 429.
 */
import { path, str } from '../../ai/read.js';
import type { ProviderErrorFacts } from '../../upstream/classify.js';
import type { ErrorResponse } from '../../upstream/http-client.js';

const QUOTA = /trial key.*limited to|per month|billing|payment required|add a payment method/i;

/** Reads a Cohere error body. */
export function cohereErrorFacts(response: ErrorResponse): ProviderErrorFacts {
  const message = str(path(response.body, 'message')) ?? str(path(response.body, 'error'));
  return {
    message,
    quotaExhausted: response.status === 402 || (message !== undefined && QUOTA.test(message)),
  };
}

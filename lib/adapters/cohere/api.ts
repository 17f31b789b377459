/**
 * Cohere's v2 API (`Authorization: Bearer`). The stored base URL is the origin
 * (`https://api.cohere.com`); a base that already ends in `/v2` is accepted too.
 */
import type { CallContext } from '../contract.js';
import { requireSecret } from '../credentials.js';

/** Cohere's API origin. */
export const COHERE_DEFAULT_BASE_URL = 'https://api.cohere.com';

/** `/v2/<operation>` relative to the base URL. */
export function coherePath(ctx: CallContext, operation: 'chat' | 'embed' | 'rerank'): string {
  return ctx.baseUrl?.pathname.replace(/\/+$/, '').endsWith('/v2') ? `/${operation}` : `/v2/${operation}`;
}

/** Bearer auth. @throws UpstreamError `configuration` without an API key. */
export function cohereAuth(ctx: CallContext): Record<string, string> {
  return { authorization: `Bearer ${requireSecret(ctx)}`, 'x-client-name': 'ai-gateway' };
}

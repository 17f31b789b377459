/**
 * Anthropic's endpoint and auth. The stored base URL is the origin (`https://api.anthropic.com`); a
 * base that already ends in `/v1` is accepted too. Metadata: `anthropic_version` overrides the
 * `anthropic-version` header; `anthropic_beta` is sent as `anthropic-beta`.
 */
import { ANTHROPIC_VERSION } from '../../ai/anthropic-wire.js';
import type { CallContext } from '../contract.js';
import { metadataString, requireSecret } from '../credentials.js';

/** Anthropic's API origin. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The Messages path relative to the base URL. */
export function messagesPath(ctx: CallContext): string {
  return ctx.baseUrl?.pathname.replace(/\/+$/, '').endsWith('/v1') ? '/messages' : '/v1/messages';
}

/** Auth and version headers. @throws UpstreamError `configuration` without an API key. */
export function anthropicAuth(ctx: CallContext): Record<string, string> {
  const headers: Record<string, string> = {
    'x-api-key': requireSecret(ctx),
    'anthropic-version': metadataString(ctx, 'anthropic_version') ?? ANTHROPIC_VERSION,
  };
  const beta = metadataString(ctx, 'anthropic_beta');
  if (beta !== undefined && !/[\r\n]/.test(beta)) headers['anthropic-beta'] = beta;
  return headers;
}

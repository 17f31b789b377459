/** Authentication of OpenAI-compatible hosts. */
import type { CallContext } from '../contract.js';
import { optionalSecret, requireSecret } from '../credentials.js';

/** `Authorization: Bearer <key>`; the key is required. */
export function bearerAuth(ctx: CallContext): Record<string, string> {
  return { authorization: `Bearer ${requireSecret(ctx)}` };
}

/**
 * Header auth for self-hosted servers: no header without a key (Ollama, LM Studio), else
 * `Authorization: Bearer` or, per `metadata.auth_header`, `api-key` (Azure) or `x-api-key`.
 */
export function flexibleAuth(ctx: CallContext): Record<string, string> {
  const secret = optionalSecret(ctx);
  if (secret === undefined) return {};
  const header = ctx.provider.metadata.auth_header;
  if (header === 'api-key' || header === 'x-api-key') return { [header]: secret };
  return { authorization: `Bearer ${secret}` };
}

/**
 * Any OpenAI-compatible server at a stored `base_url` (vLLM, Ollama, LM Studio, LocalAI, Azure-style
 * deployments). Provider metadata tunes the dialect:
 *
 * - `auth_header`: `authorization` (default, `Bearer`), `api-key` (Azure) or `x-api-key`; no header
 *   is sent when the provider has no credential (local servers).
 * - `api_version`: sent as the `api-version` query parameter (Azure).
 * - `stream_usage`: `false` for servers that refuse `stream_options` (usage is then not reported).
 *
 * Rerank goes to `{base}/rerank` (vLLM, Infinity, LocalAI); speech and transcription to the OpenAI paths.
 */
import type { CallContext } from '../contract.js';
import { metadataString } from '../credentials.js';
import { createOpenAICompatibleAdapter, flexibleAuth } from '../openai-base/index.js';

function azureQuery(ctx: CallContext): Record<string, string> | undefined {
  const version = metadataString(ctx, 'api_version');
  return version === undefined ? undefined : { 'api-version': version };
}

/** The `custom` adapter: the OpenAI-compatible base with flexible auth and Azure options. */
export const customAdapter = createOpenAICompatibleAdapter({
  type: 'custom',
  baseUrlRule: 'required',
  developerRole: 'system',
  maxTokensField: 'max_tokens',
  base64Embeddings: false,
  authHeaders: flexibleAuth,
  query: azureQuery,
  streamUsage: (ctx) => ctx.provider.metadata.stream_usage !== false,
  operations: { embeddings: true, rerank: true, speech: true, transcription: true },
});

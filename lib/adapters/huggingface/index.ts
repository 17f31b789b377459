/**
 * Hugging Face. Two kinds of endpoint, chosen by `metadata.api_format`:
 *
 * - `openai` (default): the Inference Providers router (`https://router.huggingface.co/v1`) or a
 *   TGI/vLLM Inference Endpoint, OpenAI-compatible: chat and `/embeddings`.
 * - `tei`: a Text Embeddings Inference endpoint: `/embed` and `/rerank` (no chat).
 *
 * Auth is `Authorization: Bearer <hf token>` when the provider has a credential. Metadata `truncate`
 * (TEI) truncates over-long inputs instead of failing.
 */
import type { CallContext, HttpProviderSpec, HttpWire, Operation, ProviderRecord } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';
import { flexibleAuth, openAICompatibleSpec } from '../openai-base/index.js';
import { teiEmbedWire, teiRerankWire } from './tei.js';

/** The Inference Providers router (OpenAI-compatible). */
export const HUGGINGFACE_DEFAULT_BASE_URL = 'https://router.huggingface.co/v1';

/** Whether the record points at a TEI endpoint. */
export function isTei(provider: ProviderRecord): boolean {
  return provider.metadata.api_format === 'tei';
}

const base = openAICompatibleSpec({
  type: 'huggingface',
  baseUrlRule: 'optional',
  defaultBaseUrl: HUGGINGFACE_DEFAULT_BASE_URL,
  developerRole: 'system',
  maxTokensField: 'max_tokens',
  base64Embeddings: false,
  authHeaders: flexibleAuth,
  operations: { embeddings: true, rerank: false, speech: false, transcription: false },
});

function byFormat<Req, Res>(openai: HttpWire<Req, Res>, tei: HttpWire<Req, Res>): HttpWire<Req, Res> {
  const pick = (ctx: CallContext) => (isTei(ctx.provider) ? tei : openai);
  return {
    request: (ctx, request) => pick(ctx).request(ctx, request),
    response: (ctx, body, headers, request) => pick(ctx).response(ctx, body, headers, request),
  };
}

const SUPPORTED: Record<'openai' | 'tei', readonly Operation[]> = {
  openai: ['chat', 'embeddings'],
  tei: ['embeddings', 'rerank'],
};

/** Router wires from the OpenAI-compatible base, TEI wires by `metadata.api_format`. */
export const huggingfaceSpec: HttpProviderSpec = {
  ...base,
  embeddings: byFormat(base.embeddings!, teiEmbedWire),
  rerank: teiRerankWire,
  supports: (operation, provider) => SUPPORTED[isTei(provider) ? 'tei' : 'openai'].includes(operation),
};

/** The `huggingface` adapter. */
export const huggingfaceAdapter = createHttpAdapter(huggingfaceSpec);

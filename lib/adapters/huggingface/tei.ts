/**
 * Text Embeddings Inference (TEI) native routes at the endpoint root: `POST /embed`
 * (`{inputs, normalize, truncate, dimensions}` → `[[float]]`) and `POST /rerank` (`{query, texts}` →
 * `[{index, score}]`, sorted). TEI reports usage only in the `x-compute-tokens` header.
 */
import { inputCount, textInputs } from '../../ai/embedding-encoding.js';
import { embeddingsResponse } from '../../ai/embeddings-response.js';
import { arr } from '../../ai/read.js';
import { documentText, readScores, rerankResponse } from '../../ai/rerank-response.js';
import type { EmbeddingsRequest, ReportedUsage, RerankRequest } from '../../ai/types.js';
import { tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse, misconfigured, unsupported } from '../../upstream/errors.js';
import type { ResponseHeaders } from '../../upstream/http-client.js';
import type { CallContext, EmbeddingsResult, HttpWire, RerankResultSet } from '../contract.js';
import { compact } from '../openai-base/request.js';

const PROVIDER = 'huggingface';

/** Usage from TEI's `x-compute-tokens` header (`null` when absent). */
export function teiUsage(headers: ResponseHeaders): ReportedUsage {
  const raw = headers['x-compute-tokens'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined) return null;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  return usageFrom({ input: tokenCount(value, 'x-compute-tokens', PROVIDER) });
}

/** A TEI endpoint has no default address: the router does not serve `/embed`. */
function requireEndpoint(ctx: CallContext): void {
  if (ctx.provider.base_url === null || ctx.provider.base_url === '') {
    throw misconfigured(
      PROVIDER,
      'a huggingface provider with api_format tei needs the endpoint as base_url',
    );
  }
}

function truncate(ctx: CallContext): boolean {
  return ctx.provider.metadata.truncate === true;
}

/** TEI `POST /embed`: floats fetched, base64 encoded here when asked. */
export const teiEmbedWire: HttpWire<EmbeddingsRequest, EmbeddingsResult> = {
  request: (ctx, request) => {
    requireEndpoint(ctx);
    const texts = textInputs(request.input);
    if (texts === undefined) throw unsupported(PROVIDER, 'a TEI endpoint embeds text, not token arrays');
    return {
      path: '/embed',
      json: compact({
        inputs: texts,
        normalize: true,
        truncate: truncate(ctx),
        dimensions: request.dimensions,
      }),
    };
  },
  response: (ctx, body, headers, request) => {
    const vectors = arr(body);
    if (vectors === undefined)
      throw badUpstreamResponse(PROVIDER, 'the TEI endpoint sent embeddings that are not a list');
    const usage = teiUsage(headers);
    const response = embeddingsResponse({
      provider: PROVIDER,
      model: ctx.model,
      vectors,
      expected: inputCount(request.input),
      format: request.encoding_format ?? 'float',
      usage,
    });
    return { response, usage };
  },
};

/** TEI `POST /rerank`: scores sorted and cut to `top_n` here (TEI has no `top_n`). */
export const teiRerankWire: HttpWire<RerankRequest, RerankResultSet> = {
  request: (ctx, request) => {
    requireEndpoint(ctx);
    return {
      path: '/rerank',
      json: {
        query: request.query,
        texts: request.documents.map(documentText),
        raw_scores: false,
        return_text: false,
        truncate: truncate(ctx),
      },
    };
  },
  response: (ctx, body, headers, request) => {
    const results = readScores(body, 'score', request.documents.length, PROVIDER);
    const usage = teiUsage(headers);
    const response = rerankResponse({
      id: `rerank-${ctx.deps.now().toString(36)}`,
      model: ctx.model,
      request,
      results,
      usage: { total_tokens: usage?.input_tokens ?? 0 },
    });
    return { response, usage };
  },
};

/** OpenAI-compatible embeddings (`POST {base}/embeddings`) and rerank (`POST {base}/rerank`). */
import { inputCount } from '../../ai/embedding-encoding.js';
import { embeddingsResponse } from '../../ai/embeddings-response.js';
import { arr, field, isObject, num, objects, path, str } from '../../ai/read.js';
import { documentText, readScores, rerankResponse } from '../../ai/rerank-response.js';
import type { EmbeddingsRequest, RerankRequest } from '../../ai/types.js';
import { quantity, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { EmbeddingsResult, HttpWire, RerankResultSet } from '../contract.js';
import type { OpenAICompatibleOptions } from './options.js';
import { compact } from './request.js';

/** The embeddings wire of an OpenAI-compatible host. */
export function embeddingsWire(
  options: OpenAICompatibleOptions,
): HttpWire<EmbeddingsRequest, EmbeddingsResult> {
  return {
    request: (ctx, request) => ({
      path: '/embeddings',
      query: options.query?.(ctx),
      json: compact({
        model: ctx.model,
        input: request.input,
        dimensions: request.dimensions,
        encoding_format: options.base64Embeddings ? (request.encoding_format ?? 'float') : 'float',
        user: request.user,
      }),
    }),
    response: (ctx, body, _headers, request) => {
      const provider = ctx.provider.provider_type;
      const data = arr(field(body, 'data'));
      if (data === undefined) throw badUpstreamResponse(provider, `${provider} sent embeddings without data`);
      const ordered = [...objects(data)].sort((a, b) => (num(a.index) ?? 0) - (num(b.index) ?? 0));
      const usageBody = field(body, 'usage');
      const usage = isObject(usageBody)
        ? usageFrom({ input: tokenCount(usageBody.prompt_tokens, 'prompt_tokens', provider) })
        : null;
      const response = embeddingsResponse({
        provider,
        model: str(field(body, 'model')) ?? ctx.model,
        vectors: ordered.map((item) => item.embedding),
        expected: inputCount(request.input),
        format: request.encoding_format ?? 'float',
        usage,
      });
      return { response, usage };
    },
  };
}

/**
 * The rerank wire of compatible servers that serve Jina/Cohere-style rerank (vLLM, Infinity,
 * LocalAI): `{model, query, documents, top_n}` → `{results: [{index, relevance_score}]}`.
 */
export function rerankWire(options: OpenAICompatibleOptions): HttpWire<RerankRequest, RerankResultSet> {
  return {
    request: (ctx, request) => ({
      path: '/rerank',
      query: options.query?.(ctx),
      json: compact({
        model: ctx.model,
        query: request.query,
        documents: request.documents.map(documentText),
        top_n: request.top_n,
      }),
    }),
    response: (ctx, body, _headers, request) => {
      const provider = ctx.provider.provider_type;
      const results = readScores(
        field(body, 'results'),
        'relevance_score',
        request.documents.length,
        provider,
      );
      const tokens = tokenCount(path(body, 'usage', 'total_tokens'), 'total_tokens', provider);
      const units = quantity(
        path(body, 'meta', 'billed_units', 'search_units'),
        'search_units',
        provider,
        1e6,
      );
      const usage =
        tokens === undefined && units === undefined
          ? null
          : {
              ...usageFrom({ input: tokens }),
              ...(units === undefined ? {} : { search_units: units }),
            };
      const response = rerankResponse({
        id: str(field(body, 'id')) ?? `rerank-${ctx.deps.now().toString(36)}`,
        model: str(field(body, 'model')) ?? ctx.model,
        request,
        results,
        usage: { total_tokens: tokens ?? 0, ...(units === undefined ? {} : { search_units: units }) },
      });
      return { response, usage };
    },
  };
}

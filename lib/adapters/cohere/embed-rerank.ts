/**
 * Cohere v2 embed (`/v2/embed`, at most 96 texts per call) and rerank (`/v2/rerank`). Embeddings are
 * fetched as floats and encoded here when the caller asked for base64. `input_type` comes from the
 * request's extension field, else `metadata.embed_input_type`, else `search_document`.
 */
import { inputCount, textInputs } from '../../ai/embedding-encoding.js';
import { embeddingsResponse } from '../../ai/embeddings-response.js';
import { arr, path, str } from '../../ai/read.js';
import { documentText, readScores, rerankResponse } from '../../ai/rerank-response.js';
import type { EmbeddingsRequest, RerankRequest } from '../../ai/types.js';
import { quantity, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse, unsupported } from '../../upstream/errors.js';
import type { CallContext, EmbeddingsResult, HttpWire, RerankResultSet } from '../contract.js';
import { metadataString } from '../credentials.js';
import { compact } from '../openai-base/request.js';
import { coherePath } from './api.js';

const PROVIDER = 'cohere';
/** Most texts Cohere embeds in one call. */
export const COHERE_MAX_TEXTS = 96;

function texts(request: EmbeddingsRequest): string[] {
  const list = textInputs(request.input);
  if (list === undefined) throw unsupported(PROVIDER, 'cohere embeds text, not token arrays');
  if (list.length > COHERE_MAX_TEXTS)
    throw unsupported(PROVIDER, `cohere embeds at most ${COHERE_MAX_TEXTS} inputs per call`);
  return list;
}

function inputType(ctx: CallContext, request: EmbeddingsRequest): string {
  return request.input_type ?? metadataString(ctx, 'embed_input_type') ?? 'search_document';
}

/** Cohere `POST /v2/embed`. @throws UpstreamError `unsupported` for token arrays or more than 96 texts. */
export const cohereEmbedWire: HttpWire<EmbeddingsRequest, EmbeddingsResult> = {
  request: (ctx, request) => ({
    path: coherePath(ctx, 'embed'),
    json: compact({
      model: ctx.model,
      texts: texts(request),
      input_type: inputType(ctx, request),
      embedding_types: ['float'],
      output_dimension: request.dimensions,
    }),
  }),
  response: (ctx, body, _headers, request) => {
    const vectors = arr(path(body, 'embeddings', 'float')) ?? arr(path(body, 'embeddings'));
    if (vectors === undefined)
      throw badUpstreamResponse(PROVIDER, 'cohere sent embeddings without float vectors');
    const input = tokenCount(path(body, 'meta', 'billed_units', 'input_tokens'), 'input_tokens', PROVIDER);
    const usage = input === undefined ? null : usageFrom({ input });
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

/** Cohere `POST /v2/rerank`; usage in search units. */
export const cohereRerankWire: HttpWire<RerankRequest, RerankResultSet> = {
  request: (ctx, request) => ({
    path: coherePath(ctx, 'rerank'),
    json: compact({
      model: ctx.model,
      query: request.query,
      documents: request.documents.map(documentText),
      top_n: request.top_n,
    }),
  }),
  response: (ctx, body, _headers, request) => {
    const results = readScores(path(body, 'results'), 'relevance_score', request.documents.length, PROVIDER);
    const units = quantity(path(body, 'meta', 'billed_units', 'search_units'), 'search_units', PROVIDER, 1e6);
    const tokens = tokenCount(path(body, 'meta', 'tokens', 'input_tokens'), 'input_tokens', PROVIDER);
    const usage =
      units === undefined && tokens === undefined
        ? null
        : {
            ...usageFrom({ input: tokens }),
            ...(units === undefined ? {} : { search_units: units }),
          };
    const response = rerankResponse({
      id: str(path(body, 'id')) ?? `rerank-${ctx.deps.now().toString(36)}`,
      model: ctx.model,
      request,
      results,
      usage: { total_tokens: tokens ?? 0, ...(units === undefined ? {} : { search_units: units }) },
    });
    return { response, usage };
  },
};

/**
 * Cohere v2: chat (streamed or not, with tools and images), embed and rerank. Metadata:
 * `embed_input_type` (default input type for embeddings).
 */
import type { HttpProviderSpec } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';
import { COHERE_DEFAULT_BASE_URL, cohereAuth } from './api.js';
import { cohereEmbedWire, cohereRerankWire } from './embed-rerank.js';
import { cohereErrorFacts } from './errors.js';
import { cohereChatRequest } from './request.js';
import { cohereChatResponse } from './response.js';
import { cohereStreamMapper } from './stream.js';

/** Cohere v2 as a declarative HTTP spec. */
export const cohereSpec: HttpProviderSpec = {
  type: 'cohere',
  baseUrlRule: 'optional',
  defaultBaseUrl: COHERE_DEFAULT_BASE_URL,
  authHeaders: cohereAuth,
  errorFacts: cohereErrorFacts,
  chat: { request: cohereChatRequest, response: cohereChatResponse, streamMapper: cohereStreamMapper },
  embeddings: cohereEmbedWire,
  rerank: cohereRerankWire,
};

/** The `cohere` adapter. */
export const cohereAdapter = createHttpAdapter(cohereSpec);

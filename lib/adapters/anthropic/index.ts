/**
 * Anthropic (Messages API, `x-api-key` auth): chat, streamed or not, with tools and images, and
 * token counting (`count_tokens`). It has no embeddings, rerank, audio or images. Metadata: `anthropic_version`, `anthropic_beta`,
 * `default_max_tokens` (Anthropic requires `max_tokens`; 4096 when neither the request nor this sets it).
 */
import type { HttpProviderSpec } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';
import { ANTHROPIC_DEFAULT_BASE_URL, anthropicAuth } from './api.js';
import { anthropicCountTokensWire } from './count-tokens.js';
import { anthropicErrorFacts } from './errors.js';
import { anthropicRequest } from './request.js';
import { anthropicResponse } from './response.js';
import { anthropicStreamMapper } from './stream.js';

/** Anthropic as a declarative HTTP spec. */
export const anthropicSpec: HttpProviderSpec = {
  type: 'anthropic',
  baseUrlRule: 'optional',
  defaultBaseUrl: ANTHROPIC_DEFAULT_BASE_URL,
  authHeaders: anthropicAuth,
  errorFacts: (response) => anthropicErrorFacts(response.body),
  chat: {
    request: anthropicRequest,
    response: anthropicResponse,
    streamMapper: anthropicStreamMapper,
  },
  countTokens: anthropicCountTokensWire,
};

/** The `anthropic` adapter. */
export const anthropicAdapter = createHttpAdapter(anthropicSpec);

import { embeddingsRequestSchema } from '../../ai/schemas/operations.js';
import type { Route } from '../types.js';
import { AI_CACHED_CALL_WRITES, aiRoute } from './common.js';

export const embeddingsRoute: Route = aiRoute(
  '/v1/embeddings',
  'ai/embeddings',
  'Embeddings (OpenAI format)',
  embeddingsRequestSchema,
  AI_CACHED_CALL_WRITES,
);

/** The brief's path: the same function as `/v1/embeddings`. */
export const embeddingsBriefRoute: Route = {
  ...aiRoute(
    '/api/providers/embeddings',
    'ai/embeddings',
    'Embeddings (the brief path; same as /v1/embeddings)',
    embeddingsRequestSchema,
    AI_CACHED_CALL_WRITES,
  ),
  operationId: 'ai_embeddings-brief',
};

/** Every route the embeddings function serves. */
export const embeddingsRoutes: Route[] = [embeddingsRoute, embeddingsBriefRoute];

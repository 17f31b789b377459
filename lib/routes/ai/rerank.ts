import { rerankRequestSchema } from '../../ai/schemas/operations.js';
import type { Route } from '../types.js';
import { AI_CACHED_CALL_WRITES, aiRoute } from './common.js';

export const rerankRoute: Route = aiRoute(
  '/v1/rerank',
  'ai/rerank',
  'Rerank documents against a query',
  rerankRequestSchema,
  AI_CACHED_CALL_WRITES,
);

/** The brief's path: the same function as `/v1/rerank`. */
export const rerankBriefRoute: Route = {
  ...aiRoute(
    '/api/providers/rerank',
    'ai/rerank',
    'Rerank (the brief path; same as /v1/rerank)',
    rerankRequestSchema,
    AI_CACHED_CALL_WRITES,
  ),
  operationId: 'ai_rerank-brief',
};

/** Every route the rerank function serves. */
export const rerankRoutes: Route[] = [rerankRoute, rerankBriefRoute];

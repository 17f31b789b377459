import { responsesRequestSchema } from '../../ai/schemas/responses.js';
import type { Route } from '../types.js';
import { AI_CACHED_CALL_WRITES, streamingAiRoute } from './common.js';

/** `POST /v1/responses`: the OpenAI Responses API over any provider (SSE when `stream` is true). */
export const responsesRoute: Route = {
  ...streamingAiRoute(
    '/v1/responses',
    'ai/responses',
    'OpenAI Responses API, served by any provider (SSE when stream is true)',
    responsesRequestSchema,
  ),
  // Stored responses, beside what every cached AI call writes.
  writes: [...AI_CACHED_CALL_WRITES, 'response'],
};

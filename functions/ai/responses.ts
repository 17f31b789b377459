import type { ResponsesRequest } from '../../lib/ai/schemas/responses.js';
import { serveResponses } from '../../lib/endpoints/ai/responses.js';
import { defineHandler } from '../../lib/http/handler.js';
import { responsesRoute } from '../../lib/routes/ai/responses.js';

export const handler = defineHandler<ResponsesRequest>(responsesRoute, serveResponses);

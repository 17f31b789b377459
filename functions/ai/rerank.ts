import type { RerankRequest } from '../../lib/ai/types.js';
import { serveRerank } from '../../lib/endpoints/ai/operations.js';
import { defineHandler } from '../../lib/http/handler.js';
import { rerankRoutes } from '../../lib/routes/ai/rerank.js';

export const handler = defineHandler<RerankRequest>(rerankRoutes, serveRerank);

import type { RerankRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { rerankRoutes } from '../../lib/routes/ai/rerank.js';
import { serveRerank } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<RerankRequest>(rerankRoutes, serveRerank);

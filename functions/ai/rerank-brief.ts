import type { RerankRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { serveRerank } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<RerankRequest>('POST /api/providers/rerank', serveRerank);

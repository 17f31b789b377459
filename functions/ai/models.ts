import { defineHandler } from '../../lib/http/handler.js';
import { listUsableModels } from '../../lib/services/ai/models.js';

export const handler = defineHandler('GET /v1/models', ({ deps, principal }) =>
  listUsableModels(deps, principal),
);

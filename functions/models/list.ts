import { defineHandler } from '../../lib/http/handler.js';
import { listModels, type ModelFilter } from '../../lib/services/models/service.js';

export const handler = defineHandler<unknown, ModelFilter>(
  'GET /api/providers/models',
  ({ deps, query, principal }) => listModels(deps, query, principal),
);

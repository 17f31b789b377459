import { defineHandler } from '../../lib/http/handler.js';
import { modelsListRoute } from '../../lib/routes/models.js';
import { listModels, type ModelFilter } from '../../lib/services/models/service.js';

export const handler = defineHandler<unknown, ModelFilter>(modelsListRoute, ({ deps, query, principal }) =>
  listModels(deps, query, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { usableModelsRoute } from '../../lib/routes/ai/models.js';
import { listUsableModels } from '../../lib/services/ai/models.js';

export const handler = defineHandler(usableModelsRoute, ({ deps, principal }) =>
  listUsableModels(deps, principal),
);

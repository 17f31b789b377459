import { defineHandler } from '../../lib/http/handler.js';
import { modelsGetRoute } from '../../lib/routes/models.js';
import { getModel } from '../../lib/services/models/service.js';

type Params = { id: string; model_id: string };

export const handler = defineHandler<unknown, unknown, Params>(
  modelsGetRoute,
  ({ deps, params, principal }) =>
    getModel(deps, { providerId: params.id, modelId: params.model_id, principal }),
);

import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { modelsDeleteRoute } from '../../lib/routes/models.js';
import { deleteModel } from '../../lib/services/models/service.js';

type Params = { id: string; model_id: string };

export const handler = defineHandler<unknown, unknown, Params>(modelsDeleteRoute, (request) =>
  deleteModel(request.deps, {
    providerId: request.params.id,
    modelId: request.params.model_id,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

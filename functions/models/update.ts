import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { modelsUpdateRoute } from '../../lib/routes/models.js';
import type { ModelPatch } from '../../lib/schemas/models.js';
import { updateModel } from '../../lib/services/models/service.js';

type Params = { id: string; model_id: string };

export const handler = defineHandler<ModelPatch, unknown, Params>(modelsUpdateRoute, (request) =>
  updateModel(request.deps, {
    providerId: request.params.id,
    modelId: request.params.model_id,
    patch: request.body,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

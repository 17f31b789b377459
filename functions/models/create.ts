import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { modelsCreateRoute } from '../../lib/routes/models.js';
import type { ModelCreate } from '../../lib/schemas/models.js';
import { createModel } from '../../lib/services/models/service.js';

export const handler = defineHandler<ModelCreate, unknown, { id: string }>(modelsCreateRoute, (request) =>
  createModel(request.deps, {
    providerId: request.params.id,
    model: request.body,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

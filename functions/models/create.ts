import { actorOf, defineHandler } from '../../lib/http/handler.js';
import type { ModelCreate } from '../../lib/schemas/models.js';
import { createModel } from '../../lib/services/models/service.js';

export const handler = defineHandler<ModelCreate, unknown, { id: string }>(
  'POST /api/providers/{id}/models',
  (request) =>
    createModel(request.deps, {
      providerId: request.params.id,
      model: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

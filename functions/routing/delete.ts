import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { routingDeleteRoute } from '../../lib/routes/routing.js';
import { deleteRule } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<unknown, { version?: number }, { id: string }>(
  routingDeleteRoute,
  (request) =>
    deleteRule(request.deps, {
      id: request.params.id,
      version: request.query.version,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

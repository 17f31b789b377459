import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { routingUpdateRoute } from '../../lib/routes/routing.js';
import type { RulePatch } from '../../lib/schemas/routing.js';
import { updateRule } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<RulePatch, unknown, { id: string }>(routingUpdateRoute, (request) =>
  updateRule(request.deps, {
    id: request.params.id,
    patch: request.body,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

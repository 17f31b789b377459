import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { routingCreateRoute } from '../../lib/routes/routing.js';
import type { RuleCreate } from '../../lib/schemas/routing.js';
import { createRule } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<RuleCreate>(routingCreateRoute, (request) =>
  createRule(request.deps, { rule: request.body, principal: request.principal, actor: actorOf(request) }),
);

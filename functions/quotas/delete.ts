import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { quotasDeleteRoute } from '../../lib/routes/quotas.js';
import { deleteQuota } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(quotasDeleteRoute, (request) =>
  deleteQuota(request.deps, { id: request.params.id, principal: request.principal, actor: actorOf(request) }),
);

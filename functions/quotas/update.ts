import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { quotasUpdateRoute } from '../../lib/routes/quotas.js';
import type { QuotaPatch } from '../../lib/schemas/quotas.js';
import { updateQuota } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<QuotaPatch, unknown, { id: string }>(quotasUpdateRoute, (request) =>
  updateQuota(request.deps, {
    id: request.params.id,
    patch: request.body,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { quotasCreateRoute } from '../../lib/routes/quotas.js';
import type { QuotaCreate } from '../../lib/schemas/quotas.js';
import { createQuota } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<QuotaCreate>(quotasCreateRoute, (request) =>
  createQuota(request.deps, { quota: request.body, principal: request.principal, actor: actorOf(request) }),
);

import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { healthCheckRoute } from '../../lib/routes/health.js';
import { checkProviderNow } from '../../lib/services/health/scheduled.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(healthCheckRoute, (request) =>
  checkProviderNow(request.deps, {
    providerId: request.params.id,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

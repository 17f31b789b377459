import { defineHandler } from '../../lib/http/handler.js';
import { healthCheckRoute } from '../../lib/routes/health.js';
import { checkProviderNow } from '../../lib/services/health/scheduled.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  healthCheckRoute,
  ({ deps, params, principal, requestId }) =>
    checkProviderNow(deps, { providerId: params.id, principal, requestId }),
);

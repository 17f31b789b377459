import { defineHandler } from '../../lib/http/handler.js';
import { quotasStatusRoute } from '../../lib/routes/quotas.js';
import { quotaStatus } from '../../lib/services/quotas/status.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  quotasStatusRoute,
  ({ deps, params, principal }) => quotaStatus(deps, { id: params.id, principal }),
);

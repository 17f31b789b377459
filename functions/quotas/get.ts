import { defineHandler } from '../../lib/http/handler.js';
import { quotasGetRoute } from '../../lib/routes/quotas.js';
import { getQuota } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  quotasGetRoute,
  ({ deps, params, principal }) => getQuota(deps, params.id, principal),
);

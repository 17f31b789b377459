import { defineHandler } from '../../lib/http/handler.js';
import { getQuota } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'GET /api/quotas/{id}',
  ({ deps, params, principal }) => getQuota(deps, params.id, principal),
);

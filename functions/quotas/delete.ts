import { defineHandler } from '../../lib/http/handler.js';
import { deleteQuota } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'DELETE /api/quotas/{id}',
  ({ deps, params, principal }) => deleteQuota(deps, { id: params.id, principal }),
);

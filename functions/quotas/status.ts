import { defineHandler } from '../../lib/http/handler.js';
import { quotaStatus } from '../../lib/services/quotas/status.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'GET /api/quotas/{id}/status',
  ({ deps, params, principal }) => quotaStatus(deps, { id: params.id, principal }),
);

import { defineHandler } from '../../lib/http/handler.js';
import { listQuotas, type QuotaFilter } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<unknown, QuotaFilter>('GET /api/quotas', ({ deps, query, principal }) =>
  listQuotas(deps, query, principal),
);

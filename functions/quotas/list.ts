import { defineHandler } from '../../lib/http/handler.js';
import { quotasListRoute } from '../../lib/routes/quotas.js';
import { listQuotas, type QuotaFilter } from '../../lib/services/quotas/service.js';

export const handler = defineHandler<unknown, QuotaFilter>(quotasListRoute, ({ deps, query, principal }) =>
  listQuotas(deps, query, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { healthHistoryRoute } from '../../lib/routes/health.js';
import type { HealthHistoryQuery } from '../../lib/schemas/health.js';
import { listChecks } from '../../lib/services/health/history.js';
import { loadProviderItem } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, HealthHistoryQuery, { id: string }>(
  healthHistoryRoute,
  async ({ deps, params, query, principal }) => {
    await loadProviderItem(deps, params.id, principal);
    return listChecks(deps, {
      providerId: params.id,
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.start ? { start: query.start } : {}),
      ...(query.end ? { end: query.end } : {}),
    });
  },
);

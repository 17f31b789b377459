import { defineHandler } from '../../lib/http/handler.js';
import { healthSummaryRoute } from '../../lib/routes/health.js';
import { healthSummary } from '../../lib/services/health/summary.js';

export const handler = defineHandler(healthSummaryRoute, ({ deps, principal }) =>
  healthSummary(deps, principal),
);

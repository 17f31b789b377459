import { defineHandler } from '../../lib/http/handler.js';
import { healthSummary } from '../../lib/services/health/summary.js';

export const handler = defineHandler('GET /api/health/summary', ({ deps, principal }) =>
  healthSummary(deps, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { getIncident } from '../../lib/services/incidents/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'GET /api/incidents/{id}',
  ({ deps, params, principal }) => getIncident(deps, params.id, principal),
);

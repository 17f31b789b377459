import { defineHandler } from '../../lib/http/handler.js';
import { incidentsGetRoute } from '../../lib/routes/incidents.js';
import { getIncident } from '../../lib/services/incidents/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  incidentsGetRoute,
  ({ deps, params, principal }) => getIncident(deps, params.id, principal),
);

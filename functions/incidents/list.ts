import { defineHandler } from '../../lib/http/handler.js';
import { incidentsListRoute } from '../../lib/routes/incidents.js';
import type { IncidentListQuery } from '../../lib/schemas/incidents.js';
import { listIncidents } from '../../lib/services/incidents/service.js';

export const handler = defineHandler<unknown, IncidentListQuery>(
  incidentsListRoute,
  ({ deps, query, principal }) => listIncidents(deps, query, principal),
);

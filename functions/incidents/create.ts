import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { incidentsCreateRoute } from '../../lib/routes/incidents.js';
import type { IncidentCreate } from '../../lib/schemas/incidents.js';
import { createIncident } from '../../lib/services/incidents/service.js';

export const handler = defineHandler<IncidentCreate, unknown, { id: string }>(
  incidentsCreateRoute,
  (request) =>
    createIncident(request.deps, {
      providerId: request.params.id,
      body: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { incidentsUpdateRoute } from '../../lib/routes/incidents.js';
import type { IncidentPatch } from '../../lib/schemas/incidents.js';
import { updateIncident } from '../../lib/services/incidents/service.js';

export const handler = defineHandler<IncidentPatch, unknown, { id: string }>(
  incidentsUpdateRoute,
  (request) =>
    updateIncident(request.deps, {
      id: request.params.id,
      patch: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

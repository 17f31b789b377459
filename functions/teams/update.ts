import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { teamsUpdateRoute } from '../../lib/routes/teams.js';
import type { TeamPatch } from '../../lib/schemas/teams.js';
import { updateTeam } from '../../lib/services/teams/service.js';

export const handler = defineHandler<TeamPatch, unknown, { id: string }>(teamsUpdateRoute, (request) =>
  updateTeam(request.deps, {
    id: request.params.id,
    patch: request.body,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

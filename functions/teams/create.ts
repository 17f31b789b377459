import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { teamsCreateRoute } from '../../lib/routes/teams.js';
import type { TeamCreate } from '../../lib/schemas/teams.js';
import { createTeam } from '../../lib/services/teams/service.js';

export const handler = defineHandler<TeamCreate>(teamsCreateRoute, (request) =>
  createTeam(request.deps, { team: request.body, principal: request.principal, actor: actorOf(request) }),
);

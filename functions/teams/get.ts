import { defineHandler } from '../../lib/http/handler.js';
import { teamsGetRoute } from '../../lib/routes/teams.js';
import { getTeam } from '../../lib/services/teams/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  teamsGetRoute,
  ({ deps, params, principal }) => getTeam(deps, params.id, principal),
);

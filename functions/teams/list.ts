import { defineHandler } from '../../lib/http/handler.js';
import { teamsListRoute } from '../../lib/routes/teams.js';
import { listTeams } from '../../lib/services/teams/service.js';

export const handler = defineHandler<unknown, { limit: number; cursor?: string }>(
  teamsListRoute,
  ({ deps, query, principal }) => listTeams(deps, query, principal),
);

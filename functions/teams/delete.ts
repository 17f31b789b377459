import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { teamsDeleteRoute } from '../../lib/routes/teams.js';
import { deleteTeam } from '../../lib/services/teams/service.js';

export const handler = defineHandler<unknown, { revoke_keys?: 'true' | 'false' }, { id: string }>(
  teamsDeleteRoute,
  (request) =>
    deleteTeam(request.deps, {
      id: request.params.id,
      revokeKeys: request.query.revoke_keys === 'true',
      principal: request.principal,
      actor: actorOf(request),
    }),
);

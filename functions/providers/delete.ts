import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { providersDeleteRoute } from '../../lib/routes/providers.js';
import { deleteProvider } from '../../lib/services/providers/delete.js';

export const handler = defineHandler<unknown, { force?: 'true' | 'false' }, { id: string }>(
  providersDeleteRoute,
  (request) =>
    deleteProvider(request.deps, {
      id: request.params.id,
      force: request.query.force === 'true',
      principal: request.principal,
      actor: actorOf(request),
    }),
);

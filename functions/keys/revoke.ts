import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { revokeApiKey } from '../../lib/services/api-keys/lifecycle.js';

export const handler = defineHandler<unknown, unknown, { id: string }>('DELETE /api/keys/{id}', (request) =>
  revokeApiKey(request.deps, { id: request.params.id, caller: request.principal, actor: actorOf(request) }),
);

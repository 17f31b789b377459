import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { keysRevokeRoute } from '../../lib/routes/keys.js';
import { revokeApiKey } from '../../lib/services/api-keys/lifecycle.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(keysRevokeRoute, (request) =>
  revokeApiKey(request.deps, { id: request.params.id, caller: request.principal, actor: actorOf(request) }),
);

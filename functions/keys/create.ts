import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { keysCreateRoute } from '../../lib/routes/keys.js';
import type { ApiKeyCreate } from '../../lib/schemas/api-keys.js';
import { createApiKey } from '../../lib/services/api-keys/service.js';

export const handler = defineHandler<ApiKeyCreate>(keysCreateRoute, (request) =>
  createApiKey(request.deps, { body: request.body, caller: request.principal, actor: actorOf(request) }),
);

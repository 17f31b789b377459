import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { keysRotateRoute } from '../../lib/routes/keys.js';
import type { ApiKeyRotateQuery } from '../../lib/schemas/api-keys.js';
import { rotateApiKey } from '../../lib/services/api-keys/lifecycle.js';

export const handler = defineHandler<unknown, ApiKeyRotateQuery, { id: string }>(keysRotateRoute, (request) =>
  rotateApiKey(request.deps, {
    id: request.params.id,
    graceSeconds: request.query.grace_seconds ?? 0,
    caller: request.principal,
    actor: actorOf(request),
  }),
);

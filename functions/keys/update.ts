import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { keysUpdateRoute } from '../../lib/routes/keys.js';
import type { ApiKeyPatch } from '../../lib/schemas/api-keys.js';
import { updateApiKey } from '../../lib/services/api-keys/update.js';

export const handler = defineHandler<ApiKeyPatch, unknown, { id: string }>(keysUpdateRoute, (request) =>
  updateApiKey(request.deps, {
    id: request.params.id,
    patch: request.body,
    caller: request.principal,
    actor: actorOf(request),
  }),
);

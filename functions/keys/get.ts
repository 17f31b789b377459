import { defineHandler } from '../../lib/http/handler.js';
import { keysGetRoute } from '../../lib/routes/keys.js';
import { getApiKey } from '../../lib/services/api-keys/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  keysGetRoute,
  ({ deps, params, principal }) => getApiKey(deps, params.id, principal),
);

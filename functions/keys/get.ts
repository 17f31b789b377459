import { defineHandler } from '../../lib/http/handler.js';
import { getApiKey } from '../../lib/services/api-keys/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'GET /api/keys/{id}',
  ({ deps, params, principal }) => getApiKey(deps, params.id, principal),
);

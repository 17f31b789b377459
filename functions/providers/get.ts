import { defineHandler } from '../../lib/http/handler.js';
import { getProvider } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'GET /api/providers/{id}',
  ({ deps, params, principal }) => getProvider(deps, params.id, principal),
);

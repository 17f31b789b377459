import { defineHandler } from '../../lib/http/handler.js';
import { deleteProvider } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, { force?: 'true' | 'false' }, { id: string }>(
  'DELETE /api/providers/{id}',
  ({ deps, params, query, principal }) =>
    deleteProvider(deps, { id: params.id, force: query.force === 'true', principal }),
);

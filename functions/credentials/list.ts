import { defineHandler } from '../../lib/http/handler.js';
import { listCredentials } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<unknown, { limit: number; cursor?: string }, { id: string }>(
  'GET /api/providers/{id}/credentials',
  ({ deps, params, query, principal }) =>
    listCredentials(deps, { providerId: params.id, limit: query.limit, cursor: query.cursor, principal }),
);

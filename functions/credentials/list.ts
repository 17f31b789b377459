import { defineHandler } from '../../lib/http/handler.js';
import { credentialsListRoute } from '../../lib/routes/credentials.js';
import { listCredentials } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<unknown, { limit: number; cursor?: string }, { id: string }>(
  credentialsListRoute,
  ({ deps, params, query, principal }) =>
    listCredentials(deps, { providerId: params.id, limit: query.limit, cursor: query.cursor, principal }),
);

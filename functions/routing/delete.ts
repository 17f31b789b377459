import { defineHandler } from '../../lib/http/handler.js';
import { deleteRule } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<unknown, { version?: number }, { id: string }>(
  'DELETE /api/providers/routing-rules/{id}',
  ({ deps, params, query, principal }) =>
    deleteRule(deps, { id: params.id, version: query.version, principal }),
);

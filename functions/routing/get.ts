import { defineHandler } from '../../lib/http/handler.js';
import { getRule } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'GET /api/providers/routing-rules/{id}',
  ({ deps, params, principal }) => getRule(deps, params.id, principal),
);

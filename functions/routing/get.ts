import { defineHandler } from '../../lib/http/handler.js';
import { routingGetRoute } from '../../lib/routes/routing.js';
import { getRule } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  routingGetRoute,
  ({ deps, params, principal }) => getRule(deps, params.id, principal),
);

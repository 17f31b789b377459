import { defineHandler } from '../../lib/http/handler.js';
import { routingListRoute } from '../../lib/routes/routing.js';
import type { RuleListQuery } from '../../lib/schemas/routing.js';
import { listRules } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<unknown, RuleListQuery>(routingListRoute, ({ deps, query, principal }) =>
  listRules(deps, query, principal),
);

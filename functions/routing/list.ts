import { defineHandler } from '../../lib/http/handler.js';
import type { RuleListQuery } from '../../lib/schemas/routing.js';
import { listRules } from '../../lib/services/routing/rules/service.js';

export const handler = defineHandler<unknown, RuleListQuery>(
  'GET /api/providers/routing-rules',
  ({ deps, query, principal }) => listRules(deps, query, principal),
);

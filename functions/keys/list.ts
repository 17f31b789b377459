import { defineHandler } from '../../lib/http/handler.js';
import { keysListRoute } from '../../lib/routes/keys.js';
import type { ApiKeyListQuery } from '../../lib/schemas/api-keys.js';
import { listApiKeys } from '../../lib/services/api-keys/service.js';

export const handler = defineHandler<unknown, ApiKeyListQuery>(keysListRoute, ({ deps, query, principal }) =>
  listApiKeys(deps, query, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { listProviders, type ProviderFilter } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, ProviderFilter>(
  'GET /api/providers',
  ({ deps, query, principal }) => listProviders(deps, query, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { providersListRoute } from '../../lib/routes/providers.js';
import { listProviders, type ProviderFilter } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, ProviderFilter>(
  providersListRoute,
  ({ deps, query, principal }) => listProviders(deps, query, principal),
);

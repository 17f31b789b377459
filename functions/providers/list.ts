import { defineHandler } from '../../lib/http/handler.js';
import { providersListRoute } from '../../lib/routes/providers.js';
import { listProvidersWithCircuits } from '../../lib/services/providers/circuits.js';
import type { ProviderFilter } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, ProviderFilter>(
  providersListRoute,
  ({ deps, query, principal }) => listProvidersWithCircuits(deps, query, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { providersGetRoute } from '../../lib/routes/providers.js';
import { getProvider } from '../../lib/services/providers/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  providersGetRoute,
  ({ deps, params, principal }) => getProvider(deps, params.id, principal),
);

import { defineHandler } from '../../lib/http/handler.js';
import { providersGetRoute } from '../../lib/routes/providers.js';
import { getProviderWithCircuit } from '../../lib/services/providers/circuits.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  providersGetRoute,
  ({ deps, params, principal }) => getProviderWithCircuit(deps, params.id, principal),
);

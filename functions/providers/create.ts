import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { providersCreateRoute } from '../../lib/routes/providers.js';
import type { ProviderCreate } from '../../lib/schemas/providers.js';
import { createProvider } from '../../lib/services/providers/service.js';

export const handler = defineHandler<ProviderCreate>(providersCreateRoute, (request) =>
  createProvider(request.deps, request.body, actorOf(request), request.principal),
);

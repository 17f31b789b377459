import { actorOf, defineHandler } from '../../lib/http/handler.js';
import type { ProviderCreate } from '../../lib/schemas/providers.js';
import { createProvider } from '../../lib/services/providers/service.js';

export const handler = defineHandler<ProviderCreate>('POST /api/providers', (request) =>
  createProvider(request.deps, request.body, actorOf(request), request.principal),
);

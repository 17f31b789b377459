import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { providersUpdateRoute } from '../../lib/routes/providers.js';
import type { ProviderPatch } from '../../lib/schemas/providers.js';
import { updateProvider } from '../../lib/services/providers/service.js';

export const handler = defineHandler<ProviderPatch, unknown, { id: string }>(
  providersUpdateRoute,
  (request) =>
    updateProvider(request.deps, {
      id: request.params.id,
      patch: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { revokeCredential } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'DELETE /api/providers/credentials/{id}',
  (request) =>
    revokeCredential(request.deps, {
      credentialId: request.params.id,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

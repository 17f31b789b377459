import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { credentialsRevokeRoute } from '../../lib/routes/credentials.js';
import { revokeCredential } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(credentialsRevokeRoute, (request) =>
  revokeCredential(request.deps, {
    credentialId: request.params.id,
    principal: request.principal,
    actor: actorOf(request),
  }),
);

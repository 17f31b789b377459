import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { credentialsCreateRoute } from '../../lib/routes/credentials.js';
import type { CredentialCreate } from '../../lib/schemas/credentials.js';
import { createCredential } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<CredentialCreate, unknown, { id: string }>(
  credentialsCreateRoute,
  (request) =>
    createCredential(request.deps, {
      providerId: request.params.id,
      body: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

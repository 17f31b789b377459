import { actorOf, defineHandler } from '../../lib/http/handler.js';
import type { CredentialCreate } from '../../lib/schemas/credentials.js';
import { createCredential } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<CredentialCreate, unknown, { id: string }>(
  'POST /api/providers/{id}/credentials',
  (request) =>
    createCredential(request.deps, {
      providerId: request.params.id,
      body: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

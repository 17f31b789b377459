import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { credentialsRotateRoute } from '../../lib/routes/credentials.js';
import type { CredentialRotate } from '../../lib/schemas/credentials.js';
import { rotateCredential } from '../../lib/services/credentials/service.js';

export const handler = defineHandler<CredentialRotate, unknown, { id: string }>(
  credentialsRotateRoute,
  (request) =>
    rotateCredential(request.deps, {
      credentialId: request.params.id,
      body: request.body,
      principal: request.principal,
      actor: actorOf(request),
    }),
);

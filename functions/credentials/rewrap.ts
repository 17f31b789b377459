import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { credentialsRewrapRoute } from '../../lib/routes/credentials.js';
import type { RewrapRequest } from '../../lib/schemas/credentials.js';
import { rewrapCredentials } from '../../lib/services/credentials/rewrap.js';

/** One page of the master-key re-wrap; call again with `next_cursor` while `has_more`. */
export const handler = defineHandler<RewrapRequest>(credentialsRewrapRoute, (request) =>
  rewrapCredentials(request.deps, {
    cursor: request.body.cursor,
    limit: request.body.limit,
    actor: actorOf(request),
    principal: request.principal,
  }),
);

import { actorOf, defineHandler } from '../../lib/http/handler.js';
import { cachePurgeRoute } from '../../lib/routes/cache.js';
import type { CachePurge } from '../../lib/schemas/cache.js';
import { purgeCache } from '../../lib/services/cache/purge.js';

export const handler = defineHandler<CachePurge, unknown, unknown>(cachePurgeRoute, (request) =>
  purgeCache(request.deps, { body: request.body, principal: request.principal, actor: actorOf(request) }),
);

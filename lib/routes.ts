import { aiRoutes } from './routes/ai/index.js';
import { auditRoutes } from './routes/audit.js';
import { cacheRoutes } from './routes/cache.js';
import { credentialRoutes } from './routes/credentials.js';
import { healthRoutes } from './routes/health.js';
import { incidentRoutes } from './routes/incidents.js';
import { keyRoutes } from './routes/keys.js';
import { logRoutes } from './routes/logs.js';
import { modelRoutes } from './routes/models.js';
import { providerRoutes } from './routes/providers.js';
import { quotaRoutes } from './routes/quotas.js';
import { routingRoutes } from './routes/routing.js';
import { systemRoutes } from './routes/system.js';
import { teamRoutes } from './routes/teams.js';
import type { Route } from './routes/types.js';
import { usageRoutes } from './routes/usage.js';

export type { HttpMethod, Route } from './routes/types.js';

/**
 * Every endpoint of the gateway: the local runtime serves these, the CDK stack builds them, the
 * OpenAPI description is generated from them. Each area keeps its routes in `lib/routes/<area>.ts`;
 * add a new area's list here.
 */
export const ROUTES: readonly Route[] = [
  ...systemRoutes,
  ...providerRoutes,
  ...modelRoutes,
  ...credentialRoutes,
  ...keyRoutes,
  ...routingRoutes,
  ...healthRoutes,
  ...incidentRoutes,
  ...usageRoutes,
  ...quotaRoutes,
  ...auditRoutes,
  ...aiRoutes,
  ...teamRoutes,
  ...cacheRoutes,
  ...logRoutes,
];

/** `METHOD path`, the identity of a route. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The route registered under `METHOD path`; throws at import time if a handler names a missing one. */
export function findRoute(key: string): Route {
  const route = ROUTES.find((r) => routeKey(r) === key);
  if (!route) throw new Error(`No route ${key} in the route table`);
  return route;
}

import type { z } from 'zod';
import { z as zod } from 'zod';
import type { Access } from './auth/roles.js';
import { objectId } from './schemas/common.js';
import * as models from './schemas/models.js';
import * as providers from './schemas/providers.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * One endpoint. `fn` names the handler module `functions/<fn>.ts` (export `handler`), which is
 * also the Lambda function the stack builds for it. Paths use API Gateway resource syntax;
 * `{name+}` is greedy (model ids may contain `/`).
 */
export interface Route {
  method: HttpMethod;
  path: string;
  fn: string;
  access: Access;
  streams: boolean;
  summary: string;
  tag: string;
  /** Largest accepted body in bytes (defaults to the admin limit from configuration). */
  maxBodyBytes?: number;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  successStatus: number;
}

const providerParams = zod.strictObject({ id: objectId });
const modelParams = zod.strictObject({ id: objectId, model_id: models.modelIdSchema });
const healthResponse = zod.object({
  status: zod.enum(['ok', 'degraded']),
  version: zod.string(),
  storage: zod.object({ status: zod.enum(['ok', 'unavailable']), latency_ms: zod.number().optional() }),
});

/** Every endpoint of the gateway. The local runtime serves these; the CDK stack builds them. */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/health',
    fn: 'system/health',
    access: 'public',
    streams: false,
    summary: 'Liveness and storage status',
    tag: 'system',
    response: healthResponse,
    successStatus: 200,
  },
  // providers
  {
    method: 'POST',
    path: '/api/providers',
    fn: 'providers/create',
    access: 'write',
    streams: false,
    summary: 'Create a provider',
    tag: 'providers',
    body: providers.providerCreate,
    response: providers.provider,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/api/providers',
    fn: 'providers/list',
    access: 'read',
    streams: false,
    summary: 'List providers',
    tag: 'providers',
    query: providers.providerListQuery,
    response: providers.providerPage,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/api/providers/{id}',
    fn: 'providers/get',
    access: 'read',
    streams: false,
    summary: 'Get a provider',
    tag: 'providers',
    params: providerParams,
    response: providers.provider,
    successStatus: 200,
  },
  {
    method: 'PATCH',
    path: '/api/providers/{id}',
    fn: 'providers/update',
    access: 'write',
    streams: false,
    summary: 'Update a provider',
    tag: 'providers',
    params: providerParams,
    body: providers.providerPatch,
    response: providers.provider,
    successStatus: 200,
  },
  {
    method: 'DELETE',
    path: '/api/providers/{id}',
    fn: 'providers/delete',
    access: 'write',
    streams: false,
    summary: 'Delete a provider (409 while a routing rule uses it, unless force=true)',
    tag: 'providers',
    params: providerParams,
    query: providers.providerDeleteQuery,
    successStatus: 204,
  },
  // model catalog
  {
    method: 'POST',
    path: '/api/providers/{id}/models',
    fn: 'models/create',
    access: 'write',
    streams: false,
    summary: 'Add a model to a provider',
    tag: 'models',
    params: providerParams,
    body: models.modelCreate,
    response: models.model,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/api/providers/models',
    fn: 'models/list',
    access: 'read',
    streams: false,
    summary: 'List models across providers',
    tag: 'models',
    query: models.modelListQuery,
    response: models.modelPage,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/api/providers/{id}/models/{model_id+}',
    fn: 'models/get',
    access: 'read',
    streams: false,
    summary: 'Get a model',
    tag: 'models',
    params: modelParams,
    response: models.model,
    successStatus: 200,
  },
  {
    method: 'PATCH',
    path: '/api/providers/{id}/models/{model_id+}',
    fn: 'models/update',
    access: 'write',
    streams: false,
    summary: 'Update a model (a pricing change is appended to its history)',
    tag: 'models',
    params: modelParams,
    body: models.modelPatch,
    response: models.model,
    successStatus: 200,
  },
  {
    method: 'DELETE',
    path: '/api/providers/{id}/models/{model_id+}',
    fn: 'models/delete',
    access: 'write',
    streams: false,
    summary: 'Delete a model',
    tag: 'models',
    params: modelParams,
    successStatus: 204,
  },
];

/** `METHOD path`, the identity of a route. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The route registered under `METHOD path`; throws at import time if a handler names a missing one. */
export function findRoute(key: string): Route {
  const route = ROUTES.find((r) => routeKey(r) === key);
  if (!route) throw new Error(`No route ${key} in the route table`);
  return route;
}

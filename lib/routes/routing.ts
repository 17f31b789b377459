import * as routing from '../schemas/routing.js';
import type { Route } from './types.js';

/**
 * Routing-rule endpoints. The static `/api/providers/routing-rules` segment coexists with
 * `/api/providers/{id}`: the local router and API Gateway both rank static segments first.
 */
export const routingCreateRoute: Route = {
  method: 'POST',
  path: '/api/providers/routing-rules',
  fn: 'routing/create',
  access: 'write',
  streams: false,
  summary: 'Create a routing rule (every provider and model it names must exist)',
  tag: 'routing',
  body: routing.ruleCreate,
  response: routing.rule,
  successStatus: 201,
  writes: ['routingRule', 'provider'],
};

export const routingListRoute: Route = {
  method: 'GET',
  path: '/api/providers/routing-rules',
  fn: 'routing/list',
  access: 'read',
  streams: false,
  summary: 'List routing rules',
  tag: 'routing',
  query: routing.ruleListQuery,
  response: routing.rulePage,
  successStatus: 200,
};

export const routingGetRoute: Route = {
  method: 'GET',
  path: '/api/providers/routing-rules/{id}',
  fn: 'routing/get',
  access: 'read',
  streams: false,
  summary: 'Get a routing rule',
  tag: 'routing',
  params: routing.ruleParams,
  response: routing.rule,
  successStatus: 200,
};

export const routingUpdateRoute: Route = {
  method: 'PATCH',
  path: '/api/providers/routing-rules/{id}',
  fn: 'routing/update',
  access: 'write',
  streams: false,
  summary: 'Update a routing rule (optimistic concurrency on version)',
  tag: 'routing',
  params: routing.ruleParams,
  body: routing.rulePatch,
  response: routing.rule,
  successStatus: 200,
  writes: ['routingRule', 'provider'],
};

export const routingDeleteRoute: Route = {
  method: 'DELETE',
  path: '/api/providers/routing-rules/{id}',
  fn: 'routing/delete',
  access: 'write',
  streams: false,
  summary: 'Delete a routing rule (with version: only if unchanged)',
  tag: 'routing',
  params: routing.ruleParams,
  query: routing.ruleDeleteQuery,
  successStatus: 204,
  writes: ['routingRule', 'provider'],
};

/** Every route of this area, in table order. */
export const routingRoutes: Route[] = [
  routingCreateRoute,
  routingListRoute,
  routingGetRoute,
  routingUpdateRoute,
  routingDeleteRoute,
];

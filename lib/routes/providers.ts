import * as providers from '../schemas/providers.js';
import { providerParams } from './params.js';
import type { Route } from './types.js';

export const providersCreateRoute: Route = {
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
  writes: ['provider', 'providerName'],
};

export const providersListRoute: Route = {
  method: 'GET',
  path: '/api/providers',
  fn: 'providers/list',
  access: 'read',
  streams: false,
  summary: 'List providers',
  tag: 'providers',
  query: providers.providerListQuery,
  response: providers.providerWithCircuitPage,
  successStatus: 200,
};

export const providersGetRoute: Route = {
  method: 'GET',
  path: '/api/providers/{id}',
  fn: 'providers/get',
  access: 'read',
  streams: false,
  summary: 'Get a provider',
  tag: 'providers',
  params: providerParams,
  response: providers.providerWithCircuit,
  successStatus: 200,
};

export const providersUpdateRoute: Route = {
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
  writes: ['provider', 'providerName'],
};

export const providersDeleteRoute: Route = {
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
  writes: ['provider', 'providerName', 'credential'],
};

/** Every route of this area, in table order. */
export const providerRoutes: Route[] = [
  providersCreateRoute,
  providersListRoute,
  providersGetRoute,
  providersUpdateRoute,
  providersDeleteRoute,
];

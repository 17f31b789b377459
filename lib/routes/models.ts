import * as z from 'zod';
import { objectId } from '../schemas/common.js';
import * as models from '../schemas/models.js';
import { providerParams } from './params.js';
import type { Route } from './types.js';

const modelParams = z.strictObject({ id: objectId, model_id: models.modelIdSchema });

export const modelsCreateRoute: Route = {
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
  writes: ['provider'],
};

export const modelsListRoute: Route = {
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
};

export const modelsGetRoute: Route = {
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
};

export const modelsUpdateRoute: Route = {
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
  writes: ['provider'],
};

export const modelsDeleteRoute: Route = {
  method: 'DELETE',
  path: '/api/providers/{id}/models/{model_id+}',
  fn: 'models/delete',
  access: 'write',
  streams: false,
  summary: 'Delete a model',
  tag: 'models',
  params: modelParams,
  successStatus: 204,
  writes: ['provider'],
};

/** Every route of this area, in table order. */
export const modelRoutes: Route[] = [
  modelsCreateRoute,
  modelsListRoute,
  modelsGetRoute,
  modelsUpdateRoute,
  modelsDeleteRoute,
];

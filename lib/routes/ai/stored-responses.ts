import {
  deletedResponse,
  inputItemsPage,
  inputItemsQuery,
  responseObject,
  storedResponseParams,
} from '../../ai/schemas/responses-stored.js';
import type { Route } from '../types.js';

/**
 * Responses stored by `POST /v1/responses`, read and deleted by the key that created them (any other
 * key gets a 404). One function serves the three routes.
 */
const storedResponseRoute = {
  fn: 'ai/stored-responses',
  access: 'invoke',
  streams: false,
  tag: 'ai',
  params: storedResponseParams,
  successStatus: 200,
} as const;

export const responseGetRoute: Route = {
  ...storedResponseRoute,
  method: 'GET',
  path: '/v1/responses/{id}',
  summary: 'Retrieve a stored response (OpenAI Responses API)',
  response: responseObject,
  operationId: 'ai_responses-get',
};

export const responseDeleteRoute: Route = {
  ...storedResponseRoute,
  method: 'DELETE',
  path: '/v1/responses/{id}',
  summary: 'Delete a stored response',
  response: deletedResponse,
  operationId: 'ai_responses-delete',
  writes: ['response'],
};

export const responseInputItemsRoute: Route = {
  ...storedResponseRoute,
  method: 'GET',
  path: '/v1/responses/{id}/input_items',
  summary: 'List the input items of a stored response (after, limit, order)',
  query: inputItemsQuery,
  response: inputItemsPage,
  operationId: 'ai_responses-input-items',
};

/** Every route the stored-responses function serves. */
export const storedResponseRoutes: Route[] = [responseGetRoute, responseDeleteRoute, responseInputItemsRoute];

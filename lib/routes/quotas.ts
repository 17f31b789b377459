import * as z from 'zod';
import { objectId } from '../schemas/common.js';
import * as quotas from '../schemas/quotas.js';
import type { Route } from './types.js';

const quotaParams = z.strictObject({ id: objectId });

export const quotasCreateRoute: Route = {
  method: 'POST',
  path: '/api/quotas',
  fn: 'quotas/create',
  access: 'write',
  streams: false,
  summary: 'Create a quota (cost, tokens or requests per hour, day, week, month or year, in a time zone)',
  tag: 'quotas',
  // Evaluating the new quota's window may announce a crossing or a threshold.
  uses: ['events'],
  body: quotas.quotaCreate,
  response: quotas.quota,
  successStatus: 201,
  writes: ['quota'],
};

export const quotasListRoute: Route = {
  method: 'GET',
  path: '/api/quotas',
  fn: 'quotas/list',
  access: 'read',
  streams: false,
  summary: 'List quotas',
  tag: 'quotas',
  query: quotas.quotaListQuery,
  response: quotas.quotaPage,
  successStatus: 200,
};

export const quotasGetRoute: Route = {
  method: 'GET',
  path: '/api/quotas/{id}',
  fn: 'quotas/get',
  access: 'read',
  streams: false,
  summary: 'Get a quota',
  tag: 'quotas',
  params: quotaParams,
  response: quotas.quota,
  successStatus: 200,
};

export const quotasUpdateRoute: Route = {
  method: 'PATCH',
  path: '/api/quotas/{id}',
  fn: 'quotas/update',
  access: 'write',
  streams: false,
  summary: 'Update a quota (limit, thresholds, action, enforcement, activity)',
  tag: 'quotas',
  uses: ['events'],
  params: quotaParams,
  body: quotas.quotaPatch,
  response: quotas.quota,
  successStatus: 200,
  writes: ['quota'],
};

export const quotasDeleteRoute: Route = {
  method: 'DELETE',
  path: '/api/quotas/{id}',
  fn: 'quotas/delete',
  access: 'write',
  streams: false,
  summary: 'Delete a quota',
  tag: 'quotas',
  params: quotaParams,
  successStatus: 204,
  writes: ['quota'],
};

export const quotasStatusRoute: Route = {
  method: 'GET',
  path: '/api/quotas/{id}/status',
  fn: 'quotas/status',
  access: 'read',
  streams: false,
  summary: "A quota's current window: used, remaining, spend, percent, state and reset time",
  tag: 'quotas',
  params: quotaParams,
  response: quotas.quotaStatus,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const quotaRoutes: Route[] = [
  quotasCreateRoute,
  quotasListRoute,
  quotasGetRoute,
  quotasUpdateRoute,
  quotasDeleteRoute,
  quotasStatusRoute,
];

import * as logs from '../schemas/logs.js';
import type { Route } from './types.js';

/** The request log: read by every role that reads configuration; scoped keys see their scope's calls. */
export const logListRoute: Route = {
  method: 'GET',
  path: '/api/logs',
  fn: 'logs/list',
  access: 'read',
  streams: false,
  summary:
    'List AI request records, newest first (filters: from, to, api_key_id, team_id, provider_id, model, status, min_latency_ms, cache, tag); CSV or NDJSON by Accept',
  tag: 'logs',
  query: logs.logListQuery,
  response: logs.requestLogPage,
  successStatus: 200,
};

export const logGetRoute: Route = {
  method: 'GET',
  path: '/api/logs/{request_id}',
  fn: 'logs/get',
  access: 'read',
  streams: false,
  summary: "One AI request's record by its x-request-id (with its payload for admins, when logged)",
  tag: 'logs',
  params: logs.logParams,
  response: logs.requestLogDetail,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const logRoutes: Route[] = [logListRoute, logGetRoute];

import * as usage from '../schemas/usage.js';
import { providerParams } from './params.js';
import type { Route } from './types.js';

export const usageProviderRoute: Route = {
  method: 'GET',
  path: '/api/providers/{id}/usage',
  fn: 'usage/provider',
  access: 'read',
  streams: false,
  summary: "A provider's usage and cost: totals and a time series (CSV with Accept: text/csv)",
  tag: 'usage',
  params: providerParams,
  query: usage.providerUsageQuery,
  response: usage.usageReport,
  successStatus: 200,
};

export const usageAllRoute: Route = {
  method: 'GET',
  path: '/api/usage',
  fn: 'usage/all',
  access: 'read',
  streams: false,
  summary: 'Usage and cost across providers: totals and a time series (CSV with Accept: text/csv)',
  tag: 'usage',
  query: usage.usageQuery,
  response: usage.usageReport,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const usageRoutes: Route[] = [usageProviderRoute, usageAllRoute];

import * as z from 'zod';
import { objectId } from '../schemas/common.js';
import * as health from '../schemas/health.js';
import type { ItemKind } from '../store/keys.js';
import type { Route } from './types.js';

/**
 * What a health check writes, on demand or on schedule: the check, the hourly roll-up, the
 * provider's health state, latency and incident lock (under the provider), incidents, and the
 * credential a probe resolves (its lazy sweep).
 */
export const HEALTH_CHECK_WRITES: readonly ItemKind[] = [
  'healthCheck',
  'healthHourly',
  'provider',
  'incident',
  'credential',
];

const providerParams = z.strictObject({ id: objectId });

/** Provider health: on-demand checks (write: they record history), history and the summary (read). */
export const healthCheckRoute: Route = {
  method: 'POST',
  path: '/api/providers/{id}/health-check',
  fn: 'health/check',
  access: 'write',
  streams: false,
  summary: 'Check a provider now (the same probe and rules as the schedule)',
  tag: 'health',
  uses: ['bedrock', 'credentials:decrypt', 'events'],
  params: providerParams,
  response: health.healthCheckResult,
  successStatus: 200,
  writes: HEALTH_CHECK_WRITES,
};

export const healthHistoryRoute: Route = {
  method: 'GET',
  path: '/api/providers/{id}/health-history',
  fn: 'health/history',
  access: 'read',
  streams: false,
  summary: "A provider's health checks, newest first, optionally between start and end",
  tag: 'health',
  params: providerParams,
  query: health.healthHistoryQuery,
  response: health.healthHistoryPage,
  successStatus: 200,
};

export const healthSummaryRoute: Route = {
  method: 'GET',
  path: '/api/health/summary',
  fn: 'health/summary',
  access: 'read',
  streams: false,
  summary: 'Every provider: health status, uptime over 24 h and 7 d, open incident and MTTR',
  tag: 'health',
  response: health.healthSummary,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const healthRoutes: Route[] = [healthCheckRoute, healthHistoryRoute, healthSummaryRoute];

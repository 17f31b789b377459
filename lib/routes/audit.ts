import * as audit from '../schemas/audit.js';
import type { Route } from './types.js';

/** The audit trail: read by every role that reads configuration (`read`); nobody writes it. */
export const auditListRoute: Route = {
  method: 'GET',
  path: '/api/audit',
  fn: 'audit/list',
  access: 'read',
  streams: false,
  summary: 'List audit events, newest first (filters: actor, target_type, target_id, action, start, end)',
  tag: 'audit',
  query: audit.auditListQuery,
  response: audit.auditPage,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const auditRoutes: Route[] = [auditListRoute];

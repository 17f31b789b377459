import * as z from 'zod';
import { objectId } from '../schemas/common.js';
import * as incidents from '../schemas/incidents.js';
import type { Route } from './types.js';

/** Incidents: opened by hand or by the health checker; reading is `read`, every change `write`. */
export const incidentsCreateRoute: Route = {
  method: 'POST',
  path: '/api/providers/{id}/incidents',
  fn: 'incidents/create',
  access: 'write',
  streams: false,
  summary: 'Open an incident on a provider',
  tag: 'incidents',
  uses: ['events'],
  params: z.strictObject({ id: objectId }),
  body: incidents.incidentCreate,
  response: incidents.incident,
  successStatus: 201,
  writes: ['incident'],
};

export const incidentsListRoute: Route = {
  method: 'GET',
  path: '/api/incidents',
  fn: 'incidents/list',
  access: 'read',
  streams: false,
  summary: 'List incidents, newest first (filters: provider_id, status, severity, start, end)',
  tag: 'incidents',
  query: incidents.incidentListQuery,
  response: incidents.incidentPage,
  successStatus: 200,
};

export const incidentsGetRoute: Route = {
  method: 'GET',
  path: '/api/incidents/{id}',
  fn: 'incidents/get',
  access: 'read',
  streams: false,
  summary: 'Get an incident with its timeline',
  tag: 'incidents',
  params: incidents.incidentParams,
  response: incidents.incident,
  successStatus: 200,
};

export const incidentsUpdateRoute: Route = {
  method: 'PATCH',
  path: '/api/incidents/{id}',
  fn: 'incidents/update',
  access: 'write',
  streams: false,
  summary: 'Acknowledge or resolve an incident, or add a note',
  tag: 'incidents',
  uses: ['events'],
  params: incidents.incidentParams,
  body: incidents.incidentPatch,
  response: incidents.incident,
  successStatus: 200,
  writes: ['incident'],
};

/** Every route of this area, in table order. */
export const incidentRoutes: Route[] = [
  incidentsCreateRoute,
  incidentsListRoute,
  incidentsGetRoute,
  incidentsUpdateRoute,
];

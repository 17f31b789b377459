import * as teams from '../schemas/teams.js';
import type { Route } from './types.js';

/**
 * Teams govern keys (their scope and limits) and budgets: changing them is `secrets`, like keys;
 * reading them is `read`. Scoped keys see only teams inside their scope (a key of a team: its own).
 */
export const teamsCreateRoute: Route = {
  method: 'POST',
  path: '/api/teams',
  fn: 'teams/create',
  access: 'secrets',
  streams: false,
  summary: 'Create a team (a scope and rate limits its keys share)',
  tag: 'teams',
  body: teams.teamCreate,
  response: teams.team,
  successStatus: 201,
  writes: ['team', 'teamName'],
};

export const teamsListRoute: Route = {
  method: 'GET',
  path: '/api/teams',
  fn: 'teams/list',
  access: 'read',
  streams: false,
  summary: 'List teams',
  tag: 'teams',
  query: teams.teamListQuery,
  response: teams.teamPage,
  successStatus: 200,
};

export const teamsGetRoute: Route = {
  method: 'GET',
  path: '/api/teams/{id}',
  fn: 'teams/get',
  access: 'read',
  streams: false,
  summary: 'Get a team',
  tag: 'teams',
  params: teams.teamParams,
  response: teams.team,
  successStatus: 200,
};

export const teamsUpdateRoute: Route = {
  method: 'PATCH',
  path: '/api/teams/{id}',
  fn: 'teams/update',
  access: 'secrets',
  streams: false,
  summary: 'Update a team (name, scope, rate limits, metadata)',
  tag: 'teams',
  params: teams.teamParams,
  body: teams.teamPatch,
  response: teams.team,
  successStatus: 200,
  writes: ['team', 'teamName'],
};

export const teamsDeleteRoute: Route = {
  method: 'DELETE',
  path: '/api/teams/{id}',
  fn: 'teams/delete',
  access: 'secrets',
  streams: false,
  summary: 'Delete a team (409 while it has active keys, unless revoke_keys=true)',
  tag: 'teams',
  params: teams.teamParams,
  query: teams.teamDeleteQuery,
  successStatus: 204,
  writes: ['team', 'teamName', 'apiKeyRecord', 'apiKeySecret'],
};

/** Every route of this area, in table order. */
export const teamRoutes: Route[] = [
  teamsCreateRoute,
  teamsListRoute,
  teamsGetRoute,
  teamsUpdateRoute,
  teamsDeleteRoute,
];

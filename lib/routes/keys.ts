import * as apiKeys from '../schemas/api-keys.js';
import { callerIdentity } from '../schemas/me.js';
import type { Route } from './types.js';

/** API keys: every route is `secrets` (admin only today); the service also refuses wider keys. */
export const keysCreateRoute: Route = {
  method: 'POST',
  path: '/api/keys',
  fn: 'keys/create',
  access: 'secrets',
  streams: false,
  summary: 'Create an API key (the secret is in this answer only)',
  tag: 'keys',
  body: apiKeys.apiKeyCreate,
  response: apiKeys.apiKeyWithSecret,
  successStatus: 201,
  uses: ['apiKeys:hash'],
  writes: ['apiKeyRecord', 'apiKeySecret'],
};

export const keysListRoute: Route = {
  method: 'GET',
  path: '/api/keys',
  fn: 'keys/list',
  access: 'secrets',
  streams: false,
  summary: 'List API keys (metadata only)',
  tag: 'keys',
  query: apiKeys.apiKeyListQuery,
  response: apiKeys.apiKeyPage,
  successStatus: 200,
};

export const keysGetRoute: Route = {
  method: 'GET',
  path: '/api/keys/{id}',
  fn: 'keys/get',
  access: 'secrets',
  streams: false,
  summary: 'Get an API key (metadata only)',
  tag: 'keys',
  params: apiKeys.apiKeyParams,
  response: apiKeys.apiKey,
  successStatus: 200,
};

export const keysUpdateRoute: Route = {
  method: 'PATCH',
  path: '/api/keys/{id}',
  fn: 'keys/update',
  access: 'secrets',
  streams: false,
  summary: 'Rename an API key or change its rate limits or expiry (never its role, scope or team)',
  tag: 'keys',
  params: apiKeys.apiKeyParams,
  body: apiKeys.apiKeyPatch,
  response: apiKeys.apiKey,
  successStatus: 200,
  writes: ['apiKeyRecord', 'apiKeySecret'],
};

export const keysRevokeRoute: Route = {
  method: 'DELETE',
  path: '/api/keys/{id}',
  fn: 'keys/revoke',
  access: 'secrets',
  streams: false,
  summary: 'Revoke an API key',
  tag: 'keys',
  params: apiKeys.apiKeyParams,
  successStatus: 204,
  writes: ['apiKeyRecord', 'apiKeySecret'],
};

export const keysRotateRoute: Route = {
  method: 'POST',
  path: '/api/keys/{id}/rotate',
  fn: 'keys/rotate',
  access: 'secrets',
  streams: false,
  summary: 'Give an API key a new secret (shown once); the old one stops, or after grace_seconds',
  tag: 'keys',
  params: apiKeys.apiKeyParams,
  query: apiKeys.apiKeyRotateQuery,
  response: apiKeys.apiKeyWithSecret,
  successStatus: 200,
  uses: ['apiKeys:hash'],
  writes: ['apiKeyRecord', 'apiKeySecret'],
};

/** The caller's own key: every role may ask who it is (the console hides what it cannot do). */
export const keysMeRoute: Route = {
  method: 'GET',
  path: '/api/me',
  fn: 'keys/me',
  access: 'self',
  streams: false,
  summary: "The caller's own key: role, team, scope and permission classes (never a secret)",
  tag: 'keys',
  response: callerIdentity,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const keyRoutes: Route[] = [
  keysCreateRoute,
  keysListRoute,
  keysGetRoute,
  keysUpdateRoute,
  keysRevokeRoute,
  keysRotateRoute,
  keysMeRoute,
];

import * as z from 'zod';
import { objectId } from '../schemas/common.js';
import * as credentials from '../schemas/credentials.js';
import type { Route } from './types.js';

/** `{id}` is a provider id on the provider's collection and a credential id on the credential's routes. */
const idParams = z.strictObject({ id: objectId });

/**
 * Provider credentials. Reading metadata is `read`; every write and the master-key re-wrap are
 * `secrets` (admin only). No route ever returns a plaintext value.
 */
export const credentialsCreateRoute: Route = {
  method: 'POST',
  path: '/api/providers/{id}/credentials',
  fn: 'credentials/create',
  access: 'secrets',
  streams: false,
  summary: 'Store a provider credential (encrypted; the value is never returned)',
  tag: 'credentials',
  params: idParams,
  body: credentials.credentialCreate,
  response: credentials.credential,
  successStatus: 201,
  writes: ['credential'],
};

export const credentialsListRoute: Route = {
  method: 'GET',
  path: '/api/providers/{id}/credentials',
  fn: 'credentials/list',
  access: 'read',
  streams: false,
  summary: "List a provider's credentials (metadata only), newest first",
  tag: 'credentials',
  params: idParams,
  query: credentials.credentialListQuery,
  response: credentials.credentialPage,
  successStatus: 200,
};

export const credentialsRotateRoute: Route = {
  method: 'POST',
  path: '/api/providers/credentials/{id}/rotate',
  fn: 'credentials/rotate',
  access: 'secrets',
  streams: false,
  summary:
    'Rotate a credential: new requests use the new value at once; the old one retires after a grace period',
  tag: 'credentials',
  params: idParams,
  body: credentials.credentialRotate,
  response: credentials.credential,
  successStatus: 200,
  writes: ['credential'],
};

export const credentialsRevokeRoute: Route = {
  method: 'DELETE',
  path: '/api/providers/credentials/{id}',
  fn: 'credentials/revoke',
  access: 'secrets',
  streams: false,
  summary: 'Revoke a credential (its ciphertext is destroyed)',
  tag: 'credentials',
  params: idParams,
  successStatus: 204,
  writes: ['credential'],
};

export const credentialsRewrapRoute: Route = {
  method: 'POST',
  path: '/api/admin/credentials/rewrap',
  fn: 'credentials/rewrap',
  access: 'secrets',
  streams: false,
  summary: 'Re-wrap one page of credential data keys under the current master key (resumable)',
  tag: 'credentials',
  body: credentials.rewrapRequest,
  response: credentials.rewrapReport,
  successStatus: 200,
  writes: ['credential'],
};

/** Every route of this area, in table order. */
export const credentialRoutes: Route[] = [
  credentialsCreateRoute,
  credentialsListRoute,
  credentialsRotateRoute,
  credentialsRevokeRoute,
  credentialsRewrapRoute,
];

import * as cache from '../schemas/cache.js';
import type { Route } from './types.js';

export const cachePurgeRoute: Route = {
  method: 'DELETE',
  path: '/api/cache',
  fn: 'cache/purge',
  // Deletes entries and their model index; the purge record becomes its audit event.
  writes: ['cacheEntry', 'cacheModel', 'cachePurge'],
  access: 'write',
  streams: false,
  summary: "Drop response-cache entries: a namespace, a model's entries in it, or a model's everywhere",
  tag: 'cache',
  body: cache.cachePurge,
  response: cache.cachePurgeResult,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const cacheRoutes: Route[] = [cachePurgeRoute];

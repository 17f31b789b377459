import type { RouteUse } from '../lib/routes/types.js';
import type { Route } from '../lib/routes.js';

/** A permission a route's function can be given; each maps to one grant helper. */
export type Need =
  | 'tableRead'
  | 'tableWrite'
  | 'apiKeyPepper'
  | 'credentialEnvelope'
  | 'credentialDecrypt'
  | 'credentialSecretRef'
  | 'bedrock'
  | 'events'
  | 'apiKeyLastUsed';

/** What each declared {@link RouteUse} of a route grants. */
export const NEEDS_OF_USE: Readonly<Record<RouteUse, readonly Need[]>> = {
  bedrock: ['bedrock'],
  'credentials:decrypt': ['credentialDecrypt', 'credentialSecretRef'],
  events: ['events'],
  'apiKeys:hash': ['apiKeyPepper'],
};

/** The needs a list of declared uses grants. */
export function needsOfUses(uses: readonly RouteUse[] | undefined): Need[] {
  return (uses ?? []).flatMap((use) => NEEDS_OF_USE[use]);
}

/**
 * What the function behind a route may touch, derived from the route itself so that a new route
 * gets its permissions without anyone listing it here:
 * - every function reads the table (the health probe included: it reads one key);
 * - a route that is not a GET writes the table;
 * - `credentials` routes that change a credential wrap data keys under the credential key;
 * - routes that call an upstream provider with its credential unwrap data keys (never create
 *   them) and read `secret_ref` credentials: the AI routes (`invoke`) and the on-demand health
 *   check (a non-GET `health` route);
 * - and whatever the route declares in `uses` (`NEEDS_OF_USE`): Bedrock, credential decryption,
 *   publishing to the event bus, the API-key pepper (only routes that mint a key secret: listing,
 *   reading and revoking keys never hash one).
 */
export function needsOf(route: Pick<Route, 'method' | 'tag' | 'access' | 'uses'>): Set<Need> {
  const needs = new Set<Need>(['tableRead']);
  if (route.method !== 'GET') needs.add('tableWrite');
  if (route.tag === 'credentials' && route.method !== 'GET') needs.add('credentialEnvelope');
  if (route.access === 'invoke' || (route.tag === 'health' && route.method !== 'GET')) {
    needs.add('credentialDecrypt');
    needs.add('credentialSecretRef');
  }
  for (const need of needsOfUses(route.uses)) needs.add(need);
  return needs;
}

/**
 * Routes grouped by handler module (`fn`): one Lambda function per module, whose needs are the
 * union of its routes' needs. Sorted by `fn` so construct ids do not depend on route order.
 */
export function functionsOf(routes: readonly Route[]): Map<string, { routes: Route[]; needs: Set<Need> }> {
  const byFn = new Map<string, { routes: Route[]; needs: Set<Need> }>();
  for (const route of [...routes].sort((a, b) => a.fn.localeCompare(b.fn))) {
    const entry = byFn.get(route.fn) ?? { routes: [], needs: new Set<Need>() };
    entry.routes.push(route);
    for (const need of needsOf(route)) entry.needs.add(need);
    byFn.set(route.fn, entry);
  }
  return byFn;
}

/**
 * Declared uses of the stream consumers of `lib/streams/consumers.ts` that need more than the table
 * (every consumer reads and writes it). The quota enforcer publishes quota events; a consumer missing
 * here gets the table only.
 */
export const CONSUMER_USES: Readonly<Record<string, readonly RouteUse[]>> = {
  'streams/quota-enforcer': ['events'],
};

/** What a stream consumer's function may touch: the table, read and write, and its declared uses. */
export function consumerNeeds(fn: string): Set<Need> {
  return new Set<Need>(['tableRead', 'tableWrite', ...needsOfUses(CONSUMER_USES[fn])]);
}

/**
 * What the scheduled health check does: probe every provider with its credential (Bedrock's probe
 * included), write history and states, open and resolve incidents (which publishes events).
 */
export const SCHEDULED_HEALTH_CHECK_USES: readonly RouteUse[] = ['bedrock', 'credentials:decrypt', 'events'];

export function scheduledHealthCheckNeeds(): Set<Need> {
  return new Set<Need>(['tableRead', 'tableWrite', ...needsOfUses(SCHEDULED_HEALTH_CHECK_USES)]);
}

/**
 * What the REQUEST authorizer does: read a key's secret item (and the admin key and pepper
 * secrets), and stamp `last_used_at` on the key's record. That stamp is its only write, so it gets
 * `apiKeyLastUsed` (UpdateItem on API key records alone), not `tableWrite`.
 */
export function authorizerNeeds(): Set<Need> {
  return new Set<Need>(['tableRead', 'apiKeyPepper', 'apiKeyLastUsed']);
}

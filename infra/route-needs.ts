import { HEALTH_CHECK_WRITES } from '../lib/routes/health.js';
import type { RouteUse } from '../lib/routes/types.js';
import { type Route, routeKey } from '../lib/routes.js';
import type { ItemKind } from '../lib/store/keys.js';
import type { StreamConsumer } from '../lib/streams/consumers.js';

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
  | 'apiKeyLastUsed'
  | 'usagePark';

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
 * - a route writes the item kinds it declares in `writes` ({@link writesOf}; a GET writes none);
 * - `credentials` routes that change a credential wrap data keys under the credential key;
 * - routes that call an upstream provider with its credential unwrap data keys (never create
 *   them) and read `secret_ref` credentials: the AI routes (`invoke`) and the on-demand health
 *   check (a non-GET `health` route);
 * - the AI routes record usage and settle strict quotas, so they may park a write that fails;
 * - and whatever the route declares in `uses` (`NEEDS_OF_USE`): Bedrock, credential decryption,
 *   publishing to the event bus, the API-key pepper (only routes that mint a key secret: listing,
 *   reading and revoking keys never hash one).
 */
export function needsOf(
  route: Pick<Route, 'method' | 'path' | 'tag' | 'access' | 'uses' | 'writes'>,
): Set<Need> {
  const needs = new Set<Need>(['tableRead']);
  if (writesOf(route).length > 0) needs.add('tableWrite');
  if (route.tag === 'credentials' && route.method !== 'GET') needs.add('credentialEnvelope');
  if (route.access === 'invoke' || (route.tag === 'health' && route.method !== 'GET')) {
    needs.add('credentialDecrypt');
    needs.add('credentialSecretRef');
  }
  if (route.access === 'invoke') needs.add('usagePark');
  for (const need of needsOfUses(route.uses)) needs.add(need);
  return needs;
}

/**
 * The kinds of item a route's handler writes: its declared `writes`; a GET writes nothing.
 *
 * @throws Error naming the route when a non-GET route declares no `writes` (declare `[]` if it
 *   writes nothing) or a GET declares some (reads never write: move the write to a write route, a
 *   stream consumer or the schedule).
 */
export function writesOf(route: Pick<Route, 'method' | 'path' | 'writes'>): readonly ItemKind[] {
  if (route.method === 'GET') {
    if (route.writes?.length) {
      throw new Error(
        `${routeKey(route)} is a read route and may not write (it declares ${route.writes.join(', ')})`,
      );
    }
    return [];
  }
  if (route.writes === undefined) {
    throw new Error(
      `${routeKey(route)} declares no \`writes\`: list the item kinds (ITEM_PARTITIONS in lib/store/keys.ts) its handler writes, or [] for none`,
    );
  }
  return route.writes;
}

/**
 * Routes grouped by handler module (`fn`): one Lambda function per module, whose needs are the
 * union of its routes' needs. Sorted by `fn` so construct ids do not depend on route order.
 */
export function functionsOf(
  routes: readonly Route[],
): Map<string, { routes: Route[]; needs: Set<Need>; writes: Set<ItemKind> }> {
  const byFn = new Map<string, { routes: Route[]; needs: Set<Need>; writes: Set<ItemKind> }>();
  for (const route of [...routes].sort((a, b) => a.fn.localeCompare(b.fn))) {
    const entry = byFn.get(route.fn) ?? { routes: [], needs: new Set<Need>(), writes: new Set<ItemKind>() };
    entry.routes.push(route);
    for (const need of needsOf(route)) entry.needs.add(need);
    for (const kind of writesOf(route)) entry.writes.add(kind);
    byFn.set(route.fn, entry);
  }
  return byFn;
}

/**
 * What every authenticated route's function may write besides its declared kinds: its security
 * refusals (`lib/audit/refusals.ts`), one conditional `PutItem` per key, minute, reason and route.
 * A read route's function holds this and nothing else.
 */
export const REFUSAL_WRITES: readonly ItemKind[] = ['accessDenial'];

/**
 * Declared uses of the stream consumers of `lib/streams/consumers.ts` that need more than the table
 * (every consumer reads and writes it). The quota enforcer publishes quota events; a consumer missing
 * here gets the table only.
 */
export const CONSUMER_USES: Readonly<Record<string, readonly RouteUse[]>> = {
  'streams/quota-enforcer': ['events'],
};

/**
 * The kinds a stream consumer writes: its entry's `writes`.
 *
 * @throws Error naming the consumer when its entry declares none.
 */
export function consumerWrites(consumer: Pick<StreamConsumer, 'fn' | 'writes'>): readonly ItemKind[] {
  if (consumer.writes === undefined) {
    throw new Error(
      `stream consumer ${consumer.fn} declares no writes: add \`writes\` to its STREAM_CONSUMERS entry (lib/streams/consumers.ts)`,
    );
  }
  return consumer.writes;
}

/** What a stream consumer's function may touch: table reads, its declared writes and uses. */
export function consumerNeeds(consumer: Pick<StreamConsumer, 'fn' | 'writes'>): Set<Need> {
  const needs = new Set<Need>(['tableRead', ...needsOfUses(CONSUMER_USES[consumer.fn])]);
  if (consumerWrites(consumer).length > 0) needs.add('tableWrite');
  return needs;
}

/**
 * What the scheduled health check does: probe every provider with its credential (Bedrock's probe
 * included), write history and states, open and resolve incidents (which publishes events).
 */
export const SCHEDULED_HEALTH_CHECK_USES: readonly RouteUse[] = ['bedrock', 'credentials:decrypt', 'events'];

/** The kinds the scheduled health check writes: those of the on-demand check (the same code path). */
export const SCHEDULED_HEALTH_CHECK_WRITES: readonly ItemKind[] = HEALTH_CHECK_WRITES;

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

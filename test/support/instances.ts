/**
 * More gateway instances over the same table: what a second Lambda container is to the first (its
 * own caches, leases and clients). The harness that owns the store closes them before it stops the
 * store ({@link closeSiblings}); a file-level `afterAll` is the backstop.
 */
import { afterAll } from 'vitest';
import type { Config } from '../../lib/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../lib/runtime/gateway.js';

const opened: Gateway[] = [];
afterAll(() => closeSiblings());

/**
 * Closes the instances {@link siblingOf} made on the store at `endpoint` (every one without it),
 * letting their deferred writes land. A store's owner calls it before it stops the store, so no
 * write outlives the table it goes to.
 */
export async function closeSiblings(endpoint?: string): Promise<void> {
  const closing = opened.filter((d) => endpoint === undefined || d.config.DYNAMODB_ENDPOINT === endpoint);
  opened.splice(0, opened.length, ...opened.filter((d) => !closing.includes(d)));
  await Promise.all(closing.map((deps) => deps.close()));
}

/**
 * A new instance like `deps` (same configuration, clock, key provider and Secrets Manager: the
 * services outside; cold caches), with `config` fields and `options` replaced.
 */
export function siblingOf(
  deps: Gateway,
  changes: { config?: Partial<Config> } & Omit<GatewayOptions, 'now'> = {},
): Gateway {
  const { config, ...options } = changes;
  const sibling = createGateway(
    { ...deps.config, ...config },
    { now: deps.now, keyProvider: deps.keyProvider, secretsManager: deps.secretsManager, ...options },
  );
  opened.push(sibling);
  return sibling;
}

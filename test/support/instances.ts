/**
 * More gateway instances over the same table: what a second Lambda container is to the first (its
 * own caches, leases and clients). Each test file that uses them closes them after its tests.
 */
import { afterAll } from 'vitest';
import type { Config } from '../../lib/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../lib/runtime/gateway.js';

const opened: Gateway[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((deps) => deps.close()));
});

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

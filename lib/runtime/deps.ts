import { type Config, getConfig } from '../config.js';
import { parseAllowedPrivateUpstreams, type UpstreamPolicy } from '../net/upstream-address.js';
import { createDocumentClient } from '../store/client.js';
import { Table } from '../store/table.js';

/**
 * What services need from the outside world, created once per container and injectable in tests.
 * Only this module reads configuration into clients; services receive `Deps`.
 */
export interface Deps {
  config: Config;
  table: Table;
  upstreamPolicy: UpstreamPolicy;
  /** Milliseconds since the epoch; tests move it. */
  now: () => number;
}

let current: Deps | undefined;

/** Builds dependencies from a configuration (one document client per container). */
export function createDeps(config: Config, now: () => number = Date.now): Deps {
  return {
    config,
    table: new Table(createDocumentClient(config), config.TABLE_NAME, now),
    upstreamPolicy: { allowedPrivate: parseAllowedPrivateUpstreams(config.ALLOWED_PRIVATE_UPSTREAMS) },
    now,
  };
}

/** The container's dependencies, created from the environment on first use. */
export function getDeps(): Deps {
  current ??= createDeps(getConfig());
  return current;
}

/** Replaces the container's dependencies (the local runtime and tests). */
export function setDeps(deps: Deps | undefined): void {
  current = deps;
}

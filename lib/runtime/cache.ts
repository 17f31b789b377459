import type { Deps } from './deps.js';

interface Entry {
  value?: unknown;
  loadedAt: number;
  loading?: Promise<unknown>;
}

/**
 * Per-container caches of values read from the table (quota snapshots, price histories), one store
 * per table so each test gateway has its own.
 */
const stores = new WeakMap<object, Map<string, Entry>>();

/**
 * This container's entry of a per-container registry, created empty on first use. Keyed by the
 * table gateway: one per container in Lambda, one per gateway instance in tests.
 */
export function instanceMap<V>(registry: WeakMap<object, Map<string, V>>, deps: Deps): Map<string, V> {
  let map = registry.get(deps.table);
  if (!map) {
    map = new Map();
    registry.set(deps.table, map);
  }
  return map;
}

const storeOf = (deps: Deps) => instanceMap(stores, deps);

/**
 * A value loaded at most once per `maxAgeMs` of `deps.now()` per container; concurrent misses
 * share one load, and a failed load is not cached (the next call tries again).
 */
export async function cached<T>(
  deps: Deps,
  key: string,
  maxAgeMs: number,
  load: () => Promise<T>,
): Promise<T> {
  const store = storeOf(deps);
  const now = deps.now();
  const entry = store.get(key);
  if (entry?.loading) return entry.loading as Promise<T>;
  if (entry && 'value' in entry && now >= entry.loadedAt && now - entry.loadedAt < maxAgeMs)
    return entry.value as T;
  const loading = load();
  store.set(key, { ...entry, loadedAt: entry?.loadedAt ?? 0, loading });
  try {
    const value = await loading;
    store.set(key, { value, loadedAt: now });
    return value;
  } catch (error) {
    store.delete(key);
    throw error;
  }
}

/** Drops this container's cached values whose key starts with `prefix` (all of them without one). */
export function forgetCached(deps: Deps, prefix = ''): void {
  const store = stores.get(deps.table);
  if (!store) return;
  for (const key of store.keys()) if (key.startsWith(prefix)) store.delete(key);
}

import { stateSlot } from '../state-slots.js';
import type { Gateway } from './gateway.js';

interface Entry {
  value?: unknown;
  loadedAt: number;
  loading?: Promise<unknown>;
}

/** The instance's cached values read from the table (quota snapshots, price histories), by key. */
const VALUES = stateSlot<Gateway, Map<string, Entry>>('cached values', () => new Map());

/**
 * A value loaded at most once per `maxAgeMs` of `deps.now()` per gateway instance; concurrent misses
 * share one load, and a failed load is not cached (the next call tries again).
 */
export async function cached<T>(
  deps: Pick<Gateway, 'state' | 'now'>,
  key: string,
  maxAgeMs: number,
  load: () => Promise<T>,
): Promise<T> {
  const store = deps.state(VALUES);
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

/** Drops this instance's cached values whose key starts with `prefix` (all of them without one). */
export function forgetCached(deps: Pick<Gateway, 'state'>, prefix = ''): void {
  const store = deps.state(VALUES);
  for (const key of store.keys()) if (key.startsWith(prefix)) store.delete(key);
}

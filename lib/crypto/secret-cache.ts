/**
 * In-memory cache of decrypted credentials, keyed by (credential id, version). It is what makes the
 * steady-state key-service calls per AI request zero: the first request for a credential version
 * decrypts it, later ones reuse the plaintext until the entry is too old or has been handed out
 * too many times, after which the next request decrypts again. Concurrent requests for a cold
 * entry share one load, so a burst of N requests costs exactly one decrypt.
 *
 * Lives for the life of a Lambda container (module scope of the caller); nothing is persisted.
 */
import { ConfigError } from '../errors.js';

/** Identifies one credential version. */
export interface SecretCacheKey {
  credentialId: string;
  version: string;
}

/** Bounds of a {@link SecretCache}. All must be positive integers. */
export interface SecretCacheOptions {
  /** Milliseconds an entry is served after its load completed. */
  maxAgeMs: number;
  /** How many callers an entry is handed to (including the callers that awaited its load). */
  maxUses: number;
  /** Most entries held at once; the least recently used is evicted beyond it. */
  maxEntries: number;
  /** Clock in milliseconds; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry<V> {
  credentialId: string;
  value: V;
  loadedAt: number;
  uses: number;
}

interface Flight<V> {
  credentialId: string;
  promise: Promise<V>;
  /** Callers sharing this load; they count as uses of the entry it creates. */
  joiners: number;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`secret cache option ${name} must be a positive integer`);
  }
}

/**
 * Bounded cache with single-flight loading. Failed loads are not cached: every caller sharing the
 * failed load receives its error and the next call tries again.
 *
 * @example
 * const cache = new SecretCache({ maxAgeMs: 300_000, maxUses: 1_000, maxEntries: 200 });
 * const key = await cache.getOrLoad({ credentialId, version }, () => decryptSecret(s, ctx, kp));
 */
export class SecretCache<V = string> {
  readonly #maxAgeMs: number;
  readonly #maxUses: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #flights = new Map<string, Flight<V>>();

  /** @throws ConfigError when a bound is not a positive integer. */
  constructor(options: SecretCacheOptions) {
    checkPositiveInteger('maxAgeMs', options.maxAgeMs);
    checkPositiveInteger('maxUses', options.maxUses);
    checkPositiveInteger('maxEntries', options.maxEntries);
    this.#maxAgeMs = options.maxAgeMs;
    this.#maxUses = options.maxUses;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** Number of settled entries currently held (expired ones may linger until next touched). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Returns the cached value for `key`, or runs `loader` once for all concurrent callers of the
   * same key and caches its result. Each call counts as one use.
   *
   * @throws whatever `loader` throws (shared by every caller of that load; nothing is cached).
   */
  getOrLoad(key: SecretCacheKey, loader: () => Promise<V>): Promise<V> {
    const id = JSON.stringify([key.credentialId, key.version]);
    const hit = this.#take(id);
    if (hit) return Promise.resolve(hit.value);
    const flight = this.#flights.get(id);
    if (flight) {
      flight.joiners += 1;
      return flight.promise;
    }
    return this.#load(id, key.credentialId, loader);
  }

  /** Drops every cached version of `credentialId` (and detaches loads in flight); returns the count. */
  invalidate(credentialId: string): number {
    let dropped = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.credentialId === credentialId) {
        this.#entries.delete(id);
        dropped += 1;
      }
    }
    for (const [id, flight] of this.#flights) {
      if (flight.credentialId === credentialId) this.#flights.delete(id);
    }
    return dropped;
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
    this.#flights.clear();
  }

  /** Returns a live entry and counts the use, evicting it when it is stale or used up. */
  #take(id: string): Entry<V> | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    if (this.#now() - entry.loadedAt >= this.#maxAgeMs || entry.uses >= this.#maxUses) return undefined;
    entry.uses += 1;
    // Re-inserting moves the entry to the end of the Map: insertion order is recency order.
    if (entry.uses < this.#maxUses) this.#entries.set(id, entry);
    return entry;
  }

  async #load(id: string, credentialId: string, loader: () => Promise<V>): Promise<V> {
    const flight: Flight<V> = { credentialId, promise: Promise.resolve().then(loader), joiners: 1 };
    this.#flights.set(id, flight);
    try {
      const value = await flight.promise;
      // Store only if this load was not detached by invalidate() while it ran.
      if (this.#flights.get(id) === flight && flight.joiners < this.#maxUses) {
        this.#store(id, { credentialId, value, loadedAt: this.#now(), uses: flight.joiners });
      }
      return value;
    } finally {
      if (this.#flights.get(id) === flight) this.#flights.delete(id);
    }
  }

  #store(id: string, entry: Entry<V>): void {
    this.#entries.delete(id);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, entry);
  }
}

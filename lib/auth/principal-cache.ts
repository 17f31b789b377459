import type { Principal } from './roles.js';

interface Entry {
  principal: Principal;
  /** Epoch milliseconds after which the entry is not served. */
  until: number;
}

/**
 * The authorizer's positive cache: key HMAC → principal, for at most `AUTH_CACHE_TTL_SECONDS` and
 * never past the key's own expiry. Only successful lookups are kept (a revoked key is never cached
 * as valid for longer than the TTL, and an unknown key is always looked up). Keyed by the HMAC, so
 * plaintext keys are not retained. Bounded: the oldest entry is evicted beyond `maxEntries`.
 */
export class PrincipalCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The cached principal for a key hash, if still fresh at `nowMs`. */
  get(hash: string, nowMs: number): Principal | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    if (entry.until <= nowMs) {
      this.#entries.delete(hash);
      return undefined;
    }
    return entry.principal;
  }

  /** Caches a principal until `until` (epoch ms); a time not in the future caches nothing. */
  set(hash: string, principal: Principal, until: number, nowMs: number): void {
    if (until <= nowMs) return;
    this.#entries.delete(hash);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(hash, { principal, until });
  }

  /** Number of entries held (stale ones linger until touched). */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
  }
}

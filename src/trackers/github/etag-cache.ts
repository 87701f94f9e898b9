// A bounded LRU of ETags for issue state lookups. Reconcile asks for the same issues' states on
// every tick; answering with `If-None-Match` lets GitHub reply 304, which costs no rate-limit
// budget. The value is the state derived when the entry was stored.

export interface EtagEntry {
  etag: string;
  state: string;
}

/** Default number of cached issues. */
export const DEFAULT_ETAG_CACHE_SIZE = 1000;

export class EtagCache {
  readonly #capacity: number;
  // A Map iterates in insertion order: re-inserting on access keeps the least recently used first.
  readonly #entries = new Map<string, EtagEntry>();

  /** `capacity` 0 disables the cache: nothing is stored, every lookup misses. */
  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.floor(capacity));
  }

  get enabled(): boolean {
    return this.#capacity > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `key`, marking it most recently used. */
  get(key: string): EtagEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /** Marks `key` most recently used, when still present. */
  touch(key: string): void {
    this.get(key);
  }

  /** Stores an entry (most recently used), evicting the least recently used beyond capacity. */
  set(key: string, entry: EtagEntry): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { ...entry });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * `etag_cache_size` from the `github:` block: a non-negative integer (an integral float such as
 * `500.0` counts); anything else — negative, fractional, non-numeric, absent — is the default.
 */
export function etagCacheSize(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  return DEFAULT_ETAG_CACHE_SIZE;
}

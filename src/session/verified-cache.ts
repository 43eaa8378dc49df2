/**
 * The verified-value cache: a bounded LRU from an exact cookie (name and value) to what decoding
 * it produced.
 *
 * Why: one `crypto.subtle` AES-GCM decrypt costs roughly 100–250 µs of round trip through Node's
 * thread pool on the reference machine — more than a whole raw `node:http` hello request. A browser
 * sends the same cookie on every request until it changes, so caching the result of a successful,
 * authenticated decode turns most reads into a Map lookup.
 *
 * What it does not skip: the store still checks expiry, idle and absolute timeouts and revocation
 * on every hit (they depend on the clock and on the app, not on the bytes). Only successes are
 * cached: a failure is never remembered, so garbage cannot evict good entries. The store empties
 * the cache whenever its keyring changes ({@link VerifiedCache.sync}), so a removed key stops
 * opening cookies at once.
 * @module
 */
import { SessionError } from '../errors.js';

/** Options for {@link VerifiedCache}. */
export interface VerifiedCacheOptions {
  /** Maximum number of entries; the least recently used is evicted first. Default 5000. */
  maxEntries?: number;
}

/**
 * A bounded least-recently-used map. A JavaScript `Map` iterates in insertion order, so moving an
 * entry to the end on every hit makes the first key the least recently used one.
 *
 * @example
 * ```ts
 * const cache = new VerifiedCache<string>({ maxEntries: 2 });
 * cache.set('a', '1'); cache.set('b', '2'); cache.get('a'); cache.set('c', '3'); // evicts 'b'
 * ```
 */
export class VerifiedCache<V> {
  readonly maxEntries: number;
  readonly #map = new Map<string, V>();
  #generation: unknown = undefined;

  constructor(options: VerifiedCacheOptions = {}) {
    const max = options.maxEntries ?? 5000;
    if (!Number.isInteger(max) || max < 1) {
      throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `cache.maxEntries must be a positive integer (got ${String(max)}); pass cache: false to turn the cache off.`);
    }
    this.maxEntries = max;
  }

  /** Number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** The entry for `key`, now the most recently used; `undefined` if absent. */
  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Stores `value` under `key`, evicting the least recently used entry when full. */
  set(key: string, value: V): void {
    if (this.#map.has(key)) this.#map.delete(key);
    else if (this.#map.size >= this.maxEntries) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  /** Removes `key`. */
  delete(key: string): void {
    this.#map.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#map.clear();
  }

  /**
   * Empties the cache when `generation` differs from the one seen last (compared with `===`).
   * The store passes something that changes whenever its keys change.
   */
  sync(generation: unknown): void {
    if (generation !== this.#generation) {
      this.#map.clear();
      this.#generation = generation;
    }
  }
}

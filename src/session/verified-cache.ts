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
 * A bounded map that evicts the least recently used entries first, approximately: "second chance"
 * (CLOCK). A hit only sets a flag; when the map is full, the oldest entries that were hit since
 * they were last looked at move to the end and lose the flag, and the first one without it goes.
 * A strict LRU would delete and re-insert on every hit — two more hash operations on a key of a
 * few hundred bytes, on the path every request takes; this keeps a hit at one lookup.
 *
 * @example
 * ```ts
 * const cache = new VerifiedCache<string>({ maxEntries: 2 });
 * cache.set('a', '1'); cache.set('b', '2'); cache.get('a'); cache.set('c', '3'); // evicts 'b'
 * ```
 */
export class VerifiedCache<V> {
  readonly maxEntries: number;
  // Keyed by the last TAIL characters of the key, the entry holding the full key, compared on
  // every hit: a cookie value is a new string on every request, so Map.get hashes it afresh, and
  // hashing the tail of a ~200-char value instead of all of it measured 0.54 -> 0.29 µs in process
  // (2.65 µs self time per HTTP request in a profile). The tail of a sealed or signed value is its
  // tag or MAC: two verified values sharing it would need a forgery, and if they did, the later
  // simply replaces the earlier (a miss, never a wrong hit).
  readonly #map = new Map<string, { key: string; value: V; used: boolean }>();
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

  /** The entry for `key` (marked as used); `undefined` if absent. */
  get(key: string): V | undefined {
    const entry = this.#map.get(tail(key));
    if (entry === undefined || entry.key !== key) return undefined;
    entry.used = true;
    return entry.value;
  }

  /** Stores `value` under `key`, evicting a least recently used entry when full. */
  set(key: string, value: V): void {
    const short = tail(key);
    if (this.#map.has(short)) this.#map.delete(short);
    else if (this.#map.size >= this.maxEntries) this.#evict();
    this.#map.set(short, { key, value, used: false });
  }

  /** Removes the oldest entry not used since it was last given a second chance. Terminates: each entry is moved at most once. */
  #evict(): void {
    for (const [key, entry] of this.#map) {
      this.#map.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.#map.set(key, entry);
    }
  }

  /** Removes `key`. */
  delete(key: string): void {
    const short = tail(key);
    if (this.#map.get(short)?.key === key) this.#map.delete(short);
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

const TAIL = 32;

function tail(key: string): string {
  return key.length > TAIL ? key.slice(-TAIL) : key;
}

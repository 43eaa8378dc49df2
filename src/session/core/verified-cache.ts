/**
 * The verified-value cache: a bounded, approximately least-recently-used map from an exact cookie
 * value to what decoding it produced (the store checks the cookie name on the entry).
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
import { SessionError, checkOptionKeys, type OptionKeys } from '../../errors.js';

/** Options for {@link VerifiedCache}. */
export interface VerifiedCacheOptions {
  /** Maximum number of entries. Default 5000. When full, a CLOCK sweep evicts the first entry not used since the hand last passed it (close to least recently used). */
  maxEntries?: number;
}

/**
 * A bounded map that evicts the least recently used entries first, approximately: "second chance"
 * (CLOCK). A hit only sets a flag. The entries sit in a fixed ring of slots; when the map is full,
 * a hand sweeps the ring, clearing the flag of each entry that was hit since the hand last passed,
 * and the first entry without it goes. A strict LRU would delete and re-insert on every hit — two
 * more hash operations on a key of a few hundred bytes, on the path every request takes; this
 * keeps a hit at one lookup.
 *
 * Why a ring and not the Map's own insertion order: a V8 Map leaves a hole for every deleted
 * entry until it rehashes, and an iterator starts at the oldest slot, so "delete the first entry"
 * on a full Map skips every earlier hole first — thousands of them at 5000 entries. With every
 * session write adding an entry, that was 3.4% of the CPU of a session-write benchmark (7 µs per
 * write, measured on Node 20); the ring makes an eviction a few array reads.
 *
 * @example
 * ```ts
 * const cache = new VerifiedCache<string>({ maxEntries: 2 });
 * cache.set('a', '1'); cache.set('b', '2'); cache.get('a'); cache.set('c', '3'); // evicts 'b'
 * ```
 */
export class VerifiedCache<V> {
  readonly maxEntries: number;
  // Keyed by a hash of the last TAIL characters of the key, the entry holding the full key,
  // compared on every hit. A cookie value is a new string on every request, so a string key is
  // hashed afresh each time; keying by its tail (a slice) measured 0.54 -> 0.29 µs in process, and
  // an integer folded from the tail's char codes 0.39 -> 0.23 µs (a small integer is hashed
  // without a string being made or read again). The tail of a sealed or signed value is its tag or
  // MAC: two verified values sharing a hash is chance, and the later simply replaces the earlier
  // (a miss, never a wrong hit). The fold starts from a random seed per cache, so nobody can
  // choose values that pile up in one bucket of the Map (V8's string hashes are seeded likewise).
  readonly #map = new Map<number, Slot<V>>();
  readonly #seed = (crypto.getRandomValues(new Uint32Array(1))[0] as number) | 0;
  /** The ring: at most maxEntries slots, each holding one entry or (after a delete) nothing. */
  #slots: (Slot<V> | undefined)[] = [];
  /** Indexes of emptied slots, reused before anything is evicted. */
  #free: number[] = [];
  #hand = 0;
  #generation: unknown = undefined;

  constructor(options: VerifiedCacheOptions = {}) {
    checkOptionKeys('cache', options, { maxEntries: true } satisfies OptionKeys<VerifiedCacheOptions>);
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
    const entry = this.#map.get(this.#hash(key));
    if (entry === undefined || entry.key !== key) return undefined;
    entry.used = true;
    return entry.value;
  }

  /**
   * Stores `value` under `key`, evicting a least recently used entry when full. With
   * `generation` (what the value was verified under, e.g. the keyring that opened it), nothing is
   * stored unless that is still the cache's generation: a decode that began before a key rotation
   * and finished after it must not land among the values the new keys verified.
   */
  set(key: string, value: V, generation?: unknown): void {
    if (generation !== undefined && generation !== this.#generation) return;
    const short = this.#hash(key);
    const existing = this.#map.get(short);
    if (existing !== undefined) {
      // Same slot, new contents; just written, so it keeps its place for one more round.
      existing.key = key;
      existing.value = value;
      existing.used = true;
      return;
    }
    let index = this.#free.pop();
    if (index === undefined) index = this.#slots.length < this.maxEntries ? this.#slots.length : this.#evict();
    const slot: Slot<V> = { key, short, value, used: false, index };
    this.#slots[index] = slot;
    this.#map.set(short, slot);
  }

  /**
   * Empties the slot of the first entry under the hand not used since the hand last passed, and
   * returns its index. Only called when every slot is full. Terminates: one full turn of the
   * hand clears every flag.
   */
  #evict(): number {
    const slots = this.#slots;
    for (;;) {
      const index = this.#hand;
      this.#hand = index + 1 === slots.length ? 0 : index + 1;
      const slot = slots[index] as Slot<V>;
      if (slot.used) slot.used = false;
      else {
        this.#map.delete(slot.short);
        return index;
      }
    }
  }

  /** The Map key of `key`: its last TAIL characters folded (FNV-1a style) from the seed into a small integer. */
  #hash(key: string): number {
    let h = this.#seed;
    for (let i = key.length > TAIL ? key.length - TAIL : 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return h & 0x3fffffff; // 30 bits: a Smi on every V8 build, so the Map never boxes it
  }

  /** Removes `key`. */
  delete(key: string): void {
    const short = this.#hash(key);
    const slot = this.#map.get(short);
    if (slot === undefined || slot.key !== key) return;
    this.#map.delete(short);
    this.#slots[slot.index] = undefined;
    this.#free.push(slot.index);
  }

  /** Removes every entry. */
  clear(): void {
    this.#map.clear();
    this.#slots = [];
    this.#free = [];
    this.#hand = 0;
  }

  /**
   * Empties the cache when `generation` differs from the one seen last (compared with `===`).
   * The store passes something that changes whenever its keys change.
   */
  sync(generation: unknown): void {
    if (generation !== this.#generation) {
      this.clear();
      this.#generation = generation;
    }
  }
}

/** One entry in its slot of the ring. */
interface Slot<V> {
  key: string;
  /** The map key: the hash of the tail of `key`. */
  short: number;
  value: V;
  /** Hit since the hand last passed. */
  used: boolean;
  index: number;
}

const TAIL = 24;

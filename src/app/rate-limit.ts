/**
 * A fixed-window counter of failed attempts per key (a user name, an IP address), for slowing
 * down password guessing (OWASP Authentication Cheat Sheet, "login throttling").
 *
 * - Memory is bounded: at most `maxKeys` entries. When full, ended windows are swept first; then
 *   the windows with the fewest failures go, the oldest first among equals (a Map iterates in
 *   insertion order). A blocked window (at its limit) is never dropped: dropping the oldest
 *   windows, blocked or not, let a flood of 10,000 cheap failures under other user names wipe a
 *   locked-out user's window and hand its attacker five fresh guesses. A table full of blocked
 *   windows fails closed: a key it cannot count is told to wait until the first of them ends,
 *   like a key over its limit. So a flood can cost its sender the lockout of new keys (for one
 *   window at most), never the protection of one already counted.
 * - The clock is injected; tests move it instead of sleeping.
 * - Per-process: with several workers each keeps its own counts, so the effective limit is
 *   `limit × workers`. That is documented in docs/app.md.
 * - An attempt is counted *before* the work it limits (`retryAfter` then `fail` in one synchronous
 *   step, `refund` when it turns out not to have been a failure). Counting after a 300 ms password
 *   hash let every request that arrived inside that window pass the check: 40 parallel guesses
 *   for one user all got a hash (issue #13, docs/security.md "Concurrency").
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../errors.js';

/** Options for {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Failures allowed per window before the key is blocked. */
  limit: number;
  /** Window length in seconds. */
  windowSeconds: number;
  /** Maximum number of keys tracked at once. Default 10,000. */
  maxKeys?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

const OPTION_KEYS: OptionKeys<RateLimiterOptions> = { limit: true, windowSeconds: true, maxKeys: true, now: true };

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts failures per key and says how long a blocked key must wait.
 *
 * @example
 * ```ts
 * const perUser = new RateLimiter({ limit: 5, windowSeconds: 900 });
 * const wait = perUser.retryAfter('demo'); // 0 when allowed, else seconds to wait
 * if (wait > 0) return tooManyRequests(wait);
 * perUser.fail('demo'); // counted now, with no await since the check
 * if (await checkPassword()) perUser.reset('demo');
 * ```
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();
  /** When the table was last found full of blocked windows: the end of the first of them. */
  #fullUntil = 0;

  constructor(options: RateLimiterOptions) {
    checkOptionKeys('RateLimiter', options, OPTION_KEYS);
    if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new TypeError('RateLimiter: limit must be a positive integer');
    if (!(options.windowSeconds > 0)) throw new TypeError('RateLimiter: windowSeconds must be positive');
    const maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new TypeError('RateLimiter: maxKeys must be a positive integer');
    this.#limit = options.limit;
    this.#windowMs = options.windowSeconds * 1000;
    this.#maxKeys = maxKeys;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Seconds to wait before `key` may try again; 0 when it may try now. Also a wait when `key` has
   * no window and the table is full of blocked ones, so that its failure could not be counted.
   */
  retryAfter(key: string): number {
    const window = this.#live(key);
    if (window !== undefined) return window.count < this.#limit ? 0 : this.#wait(window.resetAt);
    if (this.#hasRoom()) return 0;
    return this.#wait(this.#fullUntil);
  }

  /**
   * Records one failure for `key`. Call {@link RateLimiter.retryAfter} first, with no `await`
   * between: a new key that the full table has no room for is not counted here, and only
   * `retryAfter` turns that into a wait.
   */
  fail(key: string): void {
    const window = this.#live(key);
    if (window !== undefined) {
      window.count++;
      return;
    }
    if (!this.#hasRoom()) return;
    this.#windows.set(key, { count: 1, resetAt: this.#now() + this.#windowMs });
  }

  /**
   * Takes back one failure counted for `key` (an attempt counted in advance that turned out not
   * to be a failure, or was refused before any work). Never goes below zero.
   */
  refund(key: string): void {
    const window = this.#live(key);
    if (window === undefined) return;
    if (window.count <= 1) this.#windows.delete(key);
    else window.count--;
    this.#fullUntil = 0; // a window under its limit again may be dropped to make room
  }

  /** Forgets `key` (after a successful login). */
  reset(key: string): void {
    if (this.#windows.delete(key)) this.#fullUntil = 0; // its room is free, and the next key may take it
  }

  /** Number of keys tracked (for tests). */
  get size(): number {
    return this.#windows.size;
  }

  #live(key: string): Window | undefined {
    const window = this.#windows.get(key);
    if (window !== undefined && window.resetAt <= this.#now()) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }

  #wait(resetAt: number): number {
    return Math.max(1, Math.ceil((resetAt - this.#now()) / 1000));
  }

  /** True when a new key can be counted now, making room if the table is full. */
  #hasRoom(): boolean {
    if (this.#windows.size < this.#maxKeys) return true;
    // Full of blocked windows a moment ago: nothing to drop before the first of them ends, and
    // a flood of new keys must not pay a sweep of the whole table each.
    if (this.#now() < this.#fullUntil) return false;
    this.#evict();
    if (this.#windows.size < this.#maxKeys) return true;
    let first = Infinity;
    for (const window of this.#windows.values()) first = Math.min(first, window.resetAt);
    this.#fullUntil = first;
    return false;
  }

  #evict(): void {
    const now = this.#now();
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
    // Still full: drop windows under the limit, fewest failures first, oldest first among equals,
    // a tenth of the table at a time to amortise the sweep. Never a blocked one (the module says why).
    const excess = this.#windows.size - this.#maxKeys + 1;
    if (excess <= 0) return;
    let drop = Math.max(excess, Math.ceil(this.#maxKeys / 10));
    const byCount: string[][] = [];
    for (const [key, window] of this.#windows) if (window.count < this.#limit) (byCount[window.count] ??= []).push(key);
    for (const keys of byCount) {
      for (const key of keys ?? []) {
        if (drop-- <= 0) return;
        this.#windows.delete(key);
      }
    }
  }
}

/**
 * What a server-side store keeps beside a session between its load and its writes (`LoadState`),
 * and what a write decides from it: whether the id cookie the browser holds can stay or must be
 * signed again, whether the key that verified it has left the keyring, whether `destroy()` was
 * called while the write awaited.
 *
 * Its own file because these are questions about one request's state, answered the same way by
 * the save and by the auto-commit: pure functions of the state, the store's options and its
 * current keyring, which `server-store.ts` passes in. That file keeps the order of the writes.
 * @module
 */
import type { Keyring } from '../../keys/keyring.js';
import type { ResolvedStoreOptions } from '../core/store-options.js';

/** A server-side store's per-session bookkeeping (`Session.storeState`), set when the session is loaded. */
export interface LoadState {
  /** When the loaded record was last written (ms); 0 for a new session. */
  lastSeenAt: number;
  /**
   * The request carried a cookie that was not a valid session (failed verification, timed out,
   * revoked): delete it unless replaced. Not set for an authentic id whose record is missing (ServerSideStore's #load).
   */
  badCookie: boolean;
  /** The cookie was signed with a key that is no longer the primary: re-sign it. */
  stale: boolean;
  /** When the id cookie the browser holds expires (ms): the request's, or the one this request signed; 0 for none. */
  cookieExpiresAt: number;
  /** The keyring that verified the request's cookie, and the id of the key that did (`undefined` for a new session). */
  ring: Keyring | undefined;
  keyId: string;
  /** The write in flight, if any: a session is written by one write at a time. */
  writing: Promise<void> | undefined;
  /** True from the start of a write to its end (it may end before its first await). */
  persisting: boolean;
  /** How many times `destroy()` was called on the session: a write that sees it change while it awaited leaves nothing behind. */
  destroys: number;
}

/** True when destroy() was called on the session since its count was `destroys`. */
export function destroyedSince(state: LoadState | undefined, destroys: number | undefined): boolean {
  return state !== undefined && state.destroys !== destroys;
}

/**
 * True when the id cookie the browser already holds can stay as it is after this write: it
 * carries the same id, was signed by the primary key of the ring still in place (`ring`, the
 * store's keyring now), no fixed `cookie.maxAge` is configured, and it does not lag (below).
 * Re-signing on every write was an HMAC on the thread pool and a Set-Cookie header per page view:
 * keeping the cookie took the reference app's home page with --session-store redis from about
 * 6,600 to 10,600–12,400 requests per CPU-second (docs/benchmarks.md).
 */
export function cookieLastsEnough(o: ResolvedStoreOptions, ring: Keyring, state: LoadState | undefined, sameId: boolean, now: number, life: number): boolean {
  if (state === undefined || !sameId || state.stale || state.ring !== ring) return false;
  // A configured Max-Age counts from the browser's last Set-Cookie, not from the signed expiry:
  // such a cookie is sent again on every write, or an active user's would run out.
  if (typeof o.maxAge === 'number') return false;
  return !cookieLags(o, state, now, life);
}

/**
 * True when the browser's id cookie expires more than `renewAfter` of the idle timeout before
 * one signed now (for a session with `life` seconds left) would. Checked on every response,
 * changed session or not, so after each one the cookie has at least (1 − renewAfter) of the
 * idle timeout left, as the record has: a session ends between (1 − renewAfter) and 1 idle
 * timeout after the last request, whichever of the two runs out first.
 */
export function cookieLags(o: ResolvedStoreOptions, state: LoadState, now: number, life: number): boolean {
  return state.cookieExpiresAt === 0 || state.cookieExpiresAt - now < (life - o.idleTimeout * o.renewAfter) * 1000;
}

/**
 * True when the request's cookie was verified by a key that has left the keyring (`ring`, the
 * store's keyring now) since: retired while the request ran. Its session is then not written or
 * re-signed under the new primary: that would launder a cookie forged with the retired (perhaps
 * leaked) key into one the new ring accepts.
 */
export function keyLeft(ring: Keyring, state: LoadState): boolean {
  return state.ring !== undefined && state.ring !== ring && !ring.has(state.keyId);
}

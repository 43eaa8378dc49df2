/**
 * The signed session-id cookie of the server-side stores: signing an id for a cookie name, and
 * verifying a cookie value back to an id, with the verified-value cache in front of the HMAC.
 *
 * Why sign a random id at all: the id is already unguessable, but signing lets a forged or
 * truncated cookie be refused before any storage round trip, and ties the id to its cookie name.
 * It also means that a session id shown on a page ("your active sessions") is useless to steal:
 * without the keyring nobody can build the cookie that carries it.
 *
 * Its own file because it is the one part of `ServerSideStore` that deals in cookie bytes and
 * keys rather than records: the store reads as load, save and revoke on top of it.
 * @module
 */
import { CookieCodec } from '../../codec/cookie-codec.js';
import { type DecodeErrorCode, SessionError } from '../../errors.js';
import type { Keyring } from '../../keys/keyring.js';
import { isSessionId } from './stored-record.js';
import { VerifiedCache, type VerifiedCacheOptions } from '../core/verified-cache.js';

/** How many times a verify starts over because the keyring was replaced while it awaited. */
const MAX_VERIFY_ATTEMPTS = 3;

/** A cookie value whose signature checked out: what the verified-value cache remembers. */
interface Verified {
  /** The full cookie name the value was verified for: a hit needs this name as well as the value. */
  readonly name: string;
  readonly id: string;
  /** The signed value's own expiry (ms): a hit past it is decoded again, and then refused. */
  readonly expiresAt: number;
  readonly stale: boolean;
  readonly keyId: string;
}

/** What {@link SessionIdCookie.verify} found: the id, or why the value was refused. */
export type VerifiedId =
  | { readonly ok: true; readonly id: string; readonly stale: boolean; readonly keyId: string; readonly expiresAt: number }
  | { readonly ok: false; readonly code: DecodeErrorCode; readonly detail: string | undefined };

/** Options for {@link SessionIdCookie}. */
export interface SessionIdCookieOptions {
  keyring: Keyring;
  /** The verified-value cache: `true` for the defaults, `false` for none. */
  cache: boolean | VerifiedCacheOptions;
  /** How long a signed value lives at most (seconds). */
  maxAge: number;
  /** Clock in Unix milliseconds. */
  now: () => number;
}

/**
 * Signs session ids into cookie values and verifies them back, remembering verified values.
 *
 * @example
 * ```ts
 * const ids = new SessionIdCookie({ keyring, cache: true, maxAge: 86400, now: Date.now });
 * const value = await ids.sign('__Host-session', id, 1800);
 * const found = await ids.verify('__Host-session', value, Date.now()); // { ok: true, id, stale: false }
 * ```
 */
export class SessionIdCookie {
  readonly #codec: CookieCodec;
  readonly #cache: VerifiedCache<Verified> | undefined;
  readonly #now: () => number;

  constructor(options: SessionIdCookieOptions) {
    this.#codec = new CookieCodec({ keyring: options.keyring, mode: 'signed', maxAge: options.maxAge, now: options.now });
    this.#cache = options.cache === false ? undefined : new VerifiedCache<Verified>(options.cache === true ? {} : options.cache);
    this.#cache?.sync(options.keyring);
    this.#now = options.now;
  }

  /** The keyring that signs and verifies; a new one forgets every value verified under the old. */
  get keyring(): Keyring {
    return this.#codec.keyring;
  }
  set keyring(keyring: Keyring) {
    this.#codec.keyring = keyring;
    // At once, not on the next read: a verify or sign that began under the old ring and ends
    // after this finds the cache on the new generation, and its entry is dropped (set below).
    this.#cache?.sync(keyring);
  }

  /**
   * The id in `value` from the verified-value cache, without a promise: `undefined` when the value
   * is not cached for `cookie` or its entry has expired at `now` (ms). A cached read of a
   * server-side session then costs no microtask before the record lookup.
   */
  cached(cookie: string, value: string, now: number): VerifiedId | undefined {
    // Keyed by the value, the name checked on the entry, as in CookieStore: no `${name}=${value}`
    // string to build and hash on every request.
    this.#cache?.sync(this.#codec.keyring);
    const verified = this.#cache?.get(value);
    if (verified === undefined || verified.name !== cookie || verified.expiresAt <= now) return undefined;
    return { ok: true, id: verified.id, stale: verified.stale, keyId: verified.keyId, expiresAt: verified.expiresAt };
  }

  /**
   * The id in `value`, the cookie `cookie`'s value, if its signature holds under the keyring in
   * place when the answer is given, and it has not expired at `now` (ms).
   */
  async verify(cookie: string, value: string, now: number): Promise<VerifiedId> {
    for (let attempt = 1; ; attempt++) {
      const hit = this.cached(cookie, value, now);
      if (hit !== undefined) return hit;
      const ring = this.#codec.keyring;
      let decoded: { data: unknown; expiresAt: number; stale: boolean; keyId: string } | undefined;
      let failure: SessionError | undefined;
      try {
        decoded = await this.#codec.decode(cookie, value);
      } catch (err) {
        if (!SessionError.isDecode(err)) throw err;
        failure = err;
      }
      // The ring was replaced while the signature was checked: that verdict was the old ring's,
      // and a key retired with the swap (because it leaked) must not vouch for the value after
      // it. Check again under the new ring; a third replacement in a row is churn: refuse.
      if (ring !== this.#codec.keyring) {
        if (attempt < MAX_VERIFY_ATTEMPTS) continue;
        return { ok: false, code: 'ERR_COOKIE_KEY_UNKNOWN', detail: 'the keyring was replaced during every attempt to verify the cookie' };
      }
      if (decoded === undefined) {
        this.#cache?.delete(value);
        return { ok: false, code: (failure as SessionError).code as DecodeErrorCode, detail: (failure as SessionError).detail };
      }
      if (!isSessionId(decoded.data)) return { ok: false, code: 'ERR_COOKIE_MALFORMED', detail: 'the signed value is not a session id' };
      this.#cache?.set(value, { name: cookie, id: decoded.data, expiresAt: decoded.expiresAt, stale: decoded.stale, keyId: decoded.keyId }, ring);
      return { ok: true, id: decoded.data, stale: decoded.stale, keyId: decoded.keyId, expiresAt: decoded.expiresAt };
    }
  }

  /** Drops `value` from the cache: its id turned out to have no live session. */
  forget(value: string): void {
    this.#cache?.delete(value);
  }

  /** The cookie value carrying `id` for cookie `cookie`, valid for `life` seconds. */
  async sign(cookie: string, id: string, life: number): Promise<string> {
    let ring = this.#codec.keyring;
    let value = await this.#codec.encode(cookie, id, { maxAge: life });
    // The ring was replaced while signing: sign again under the new primary (the old one may
    // have just been retired). Once; the cache below then drops a value of a superseded ring.
    if (ring !== this.#codec.keyring) {
      ring = this.#codec.keyring;
      value = await this.#codec.encode(cookie, id, { maxAge: life });
    }
    // The browser sends this exact value next: remember it as verified, as CookieStore does, under
    // the generation of the ring that signed it.
    this.#cache?.set(value, { name: cookie, id, expiresAt: this.#now() + life * 1000, stale: false, keyId: ring.primaryId }, ring);
    return value;
  }
}

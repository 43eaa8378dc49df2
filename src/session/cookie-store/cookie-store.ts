/**
 * `CookieStore<T>`: the whole session lives in one sealed (AES-256-GCM) or signed (HMAC-SHA256)
 * cookie. Nothing is shared between servers but the keys.
 *
 * Load, in order (cheap checks first):
 *  1. read `prefix + name` (or its chunks `name.0 … name.N-1` when chunking is on);
 *  2. look the exact name=value up in the verified cache; on a miss, decode with the codec
 *     (authenticates name, key id, times and data) and check the record's shape;
 *  3. on every hit as well: envelope expiry, absolute timeout (from creation), idle timeout (from
 *     the last write), then the revocation hooks;
 *  4. any failure: `onDecodeError(code)` and a fresh empty session — never a 4xx or 5xx. A cookie
 *     that failed verification (step 2) is deleted on the way out unless a new session replaces
 *     it; one refused for its own times (expired, issued in the future) or whose session is
 *     refused (a timeout, a revocation hook) is not deleted (see `#refuse`).
 * Commit, before the headers go out: written if changed, if opened with a non-primary key, or if
 * the renewal is due; otherwise nothing is sent.
 * @module
 */
import { SessionError, type DecodeErrorCode } from '../../errors.js';
import type { Keyring } from '../../keys/keyring.js';
import { CookieCodec } from '../../codec/cookie-codec.js';
import { findCookieUnchecked } from '../../cookie/parse.js';
import { MAX_COOKIE_BYTES } from '../../cookie/size.js';
import { SessionRegistry, destroyedSessionError } from '../core/registry.js';
import { Session } from '../core/session.js';
import { isRecord, recordJson, type SessionRecord, type SessionValues } from '../core/session-record.js';
import { keepsCookie, lifetime, renewalDue, resolveStoreOptions, revocationVerdict, timeoutReason, type ResolvedStoreOptions } from '../core/store-options.js';
import type { SessionContext, Store } from '../core/types.js';
import { VerifiedCache } from '../core/verified-cache.js';
import type { FlatValues } from '../core/flat-values.js';
import { cookieStoreSettings, type CookieStoreOptions } from './cookie-store-options.js';
import { SessionTooLargeError } from '../core/session-too-large-error.js';
import { metaOf, recordOf, type VerifiedEntry } from './verified-entry.js';
import { SessionCookies, type WrittenCookies } from './session-cookies.js';

export type { CookieStoreOptions } from './cookie-store-options.js';

const CODEC_MAX_BYTES = 50 * MAX_COOKIE_BYTES;

/**
 * How often a load starts over because the keyring was replaced while it awaited, before the
 * cookie is refused: each start needs a new ring, which only an operator makes (SIGHUP), so a
 * third one inside one request is churn, and a refusal (a fresh session) is the safe answer.
 */
const MAX_LOAD_ATTEMPTS = 3;

function ignore(): void {}

/** Per-session bookkeeping that is not part of the record (with what this response wrote of its cookies). */
interface CookieState extends WrittenCookies {
  lastWritten: number;
  renew: boolean;
  bad: boolean;
  /** The keyring that opened the request's cookie, and the id of the key that did (`undefined` for a new session). */
  ring: Keyring | undefined;
  keyId: string;
  /** The write in flight, if any: a session is written by one write at a time. */
  writing: Promise<void> | undefined;
  /** True from the start of a seal to its end (it may end before its first await). */
  sealing: boolean;
  /** How many times `destroy()` was called on the session: a seal that sees it change while it awaited stages nothing. */
  destroys: number;
}

/**
 * A store that keeps each session in a sealed cookie.
 *
 * @example
 * ```ts
 * const store = new CookieStore<{ userId?: string; visits?: number }>({
 *   keyring, idleTimeout: 1800, absoluteTimeout: 86_400,
 * });
 * app.get('/', async (ctx) => {
 *   const session = await store.get(ctx, 'session'); // cookie "__Host-session"
 *   session.values.visits = (session.values.visits ?? 0) + 1; // saved before the response goes out
 *   ctx.text(`visit ${session.values.visits}`);
 * });
 * ```
 */
export class CookieStore<T extends SessionValues = SessionValues> implements Store<T> {
  readonly options: ResolvedStoreOptions;
  readonly mode: 'sealed' | 'signed';
  readonly #cache: VerifiedCache<VerifiedEntry> | undefined;
  #lastName = '';
  #lastPrefix = '';
  #lastCookieName = '';
  readonly #registry = new SessionRegistry<T>();
  readonly #cookies: SessionCookies;
  #keyring!: Keyring;
  #codec!: CookieCodec;

  constructor(options: CookieStoreOptions) {
    // The keyring is checked before anything else: its absence is the likeliest mistake.
    const settings = cookieStoreSettings(options);
    this.options = resolveStoreOptions(options);
    this.#cookies = new SessionCookies(this.options, settings.maxChunks);
    this.mode = settings.mode;
    this.#cache = settings.cache === undefined ? undefined : new VerifiedCache(settings.cache);
    this.keyring = options.keyring;
  }

  /** The keyring. Assigning a new one (key rotation without restart) empties the verified cache. */
  get keyring(): Keyring {
    return this.#keyring;
  }
  set keyring(keyring: Keyring) {
    this.#keyring = keyring;
    // The codec's own size cap is set high: this store measures the exact size itself, to throw
    // ERR_SESSION_TOO_LARGE with the numbers, and checks incoming sizes before decoding.
    this.#codec = new CookieCodec({ keyring, mode: this.mode, maxAge: this.options.absoluteTimeout, now: this.options.now, maxBytes: CODEC_MAX_BYTES });
    this.#cache?.sync(keyring);
  }

  /** The full cookie name of session `name`: the prefix, then the name. */
  cookieName(name: string): string {
    // The last one is remembered: a fresh concatenation is a cons string that every property
    // lookup with it (a cookie lookup) must flatten and internalize again, on every request.
    const prefix = this.options.prefix;
    if (name !== this.#lastName || prefix !== this.#lastPrefix) {
      this.#lastName = name;
      this.#lastPrefix = prefix;
      this.#lastCookieName = prefix + name;
    }
    return this.#lastCookieName;
  }

  get(ctx: SessionContext, name: string): Promise<Session<T>> {
    const invalid = this.#registry.checkName(name, this.cookieName(name));
    if (invalid !== undefined) return Promise.reject(invalid);
    return this.#registry.get(ctx, name, () => this.#load(ctx, name), (session) => this.#commit(ctx, session));
  }

  async save(ctx: SessionContext, session: Session<T>): Promise<void> {
    const state = this.#stateOf(session);
    // One write at a time: two seals in flight may finish in either order, and the one staged
    // last (the cookie sent) could then be the older. The values are serialized once it is our turn.
    while (state.writing !== undefined) await state.writing.then(ignore, ignore);
    if (session.destroyed) throw destroyedSessionError();
    return this.#write(ctx, session, state, session.valuesJson());
  }

  /** Writes the session (its values already serialized as `values`); no other write of it is in flight. */
  #write(ctx: SessionContext, session: Session<T>, state: CookieState, values: string): Promise<void> {
    // #seal clears the mark itself when it ends (no `.finally`: that is two more promise hops on
    // every write), so it is only set while the seal has not ended, i.e. after its first await.
    const writing = this.#seal(ctx, session, state, values);
    if (state.sealing) state.writing = writing;
    return writing;
  }

  /**
   * Seals the session as it stands now (its values serialized as `values`) and stages its
   * cookie(s). What is sealed, cached and marked saved is one save point taken before the first
   * await: a change the handler makes while the encryption runs is not in this cookie, so it stays
   * to be written (by the auto-commit, which waits for this write).
   */
  async #seal(ctx: SessionContext, session: Session<T>, state: CookieState, values: string): Promise<void> {
    state.sealing = true;
    try {
      const cookieName = this.cookieName(session.name);
      // A session opened with a key that has since left the ring (retired while this request ran)
      // is not re-sealed under the new primary: that would launder a cookie forged with the retired
      // (perhaps leaked) key into one the new ring accepts. It ends as if it had come a moment later.
      if (state.ring !== undefined && state.ring !== this.#keyring && !this.#keyring.has(state.keyId)) {
        this.options.onDecodeError?.('ERR_COOKIE_KEY_UNKNOWN', 'the key that opened this session left the keyring while the request ran');
        this.#deleteAll(ctx, cookieName, state);
        session.markDestroyed();
        return;
      }
      const record = session.toRecord();
      const point = session.savePoint(values);
      const json = recordJson(record, values);
      const meta = metaOf(record); // flashes copied now: they may change while the seal awaits
      const nowMs = this.options.now();
      const nowS = Math.floor(nowMs / 1000);
      const maxAge = lifetime(this.options, record.c, nowS);
      let codec = this.#codec;
      const destroys = state.destroys;
      let value: string;
      try {
        value = await codec.encodeJson(cookieName, json, { maxAge });
        // The ring was replaced during the seal: seal again under the new primary, or the cookie
        // sent would be under a key that may just have been retired. Once: a second replacement
        // inside one write is churn, and the value is authentic anyway (only not cached, below).
        if (codec !== this.#codec) {
          codec = this.#codec;
          value = await codec.encodeJson(cookieName, json, { maxAge });
        }
      } catch (err) {
        session.markFailed(point);
        if (err instanceof SessionError && err.code === 'ERR_COOKIE_TOO_LARGE') throw new SessionTooLargeError(cookieName, cookieName.length + values.length, this.#cookies.limit, this.#cookies.maxChunks === undefined ? 'cookie' : 'chunks');
        throw err;
      }
      // destroy() was called while the encryption ran (a logout after `res.redirect()` in Express,
      // after a save() not awaited): it staged the cookie's deletion, and staging this value now
      // would replace that deletion, so the browser would keep the session the app just ended.
      // The later call wins: nothing is staged, cached or marked saved.
      if (state.destroys !== destroys) return;
      try {
        this.#cookies.stage(ctx, cookieName, state, value, maxAge);
      } catch (err) {
        session.markFailed(point);
        throw err;
      }
      session.markSaved(point);
      state.lastWritten = nowS;
      state.renew = false;
      state.bad = false;
      // The next request will carry exactly this value: verified now, so it costs no decrypt then.
      // Under the generation of the ring that sealed it: if that ring was replaced meanwhile, the
      // cache drops it rather than file it among the values the new ring verified.
      const ring = codec.keyring;
      this.#cache?.set(value, { name: cookieName, meta, values, issuedAt: nowS, expiresAt: nowS + maxAge, keyId: ring.primaryId, flat: session.flatSnapshot }, ring);
    } finally {
      state.sealing = false;
      state.writing = undefined;
    }
  }

  async destroy(ctx: SessionContext, session: Session<T>): Promise<void> {
    const state = this.#stateOf(session);
    state.destroys++; // a seal in flight sees it when it resumes, and stages nothing over the deletion
    this.#deleteAll(ctx, this.cookieName(session.name), state);
    session.markDestroyed();
  }

  /** Deletes the cookie and every chunk, those the request carried and those written in it. */
  #deleteAll(ctx: SessionContext, cookieName: string, state: CookieState): void {
    this.#cookies.deleteAll(ctx, cookieName, state);
    state.renew = false;
    state.bad = false;
  }

  #stateOf(session: Session<T>): CookieState {
    let state = session.storeState as CookieState | undefined;
    if (state === undefined) {
      state = { lastWritten: 0, renew: false, bad: false, plainWritten: false, chunksWritten: 0, ring: undefined, keyId: '', writing: undefined, sealing: false, destroys: 0 };
      session.storeState = state;
    }
    return state;
  }

  // Not async: with nothing to write (the common read) it returns synchronously, so the
  // registry's hook completes without a promise hop.
  #commit(ctx: SessionContext, session: Session<T>): Promise<void> | undefined {
    if (session.destroyed) return undefined;
    const state = this.#stateOf(session);
    // A save() the handler did not await is still sealing: wait for it, then write what changed
    // meanwhile (its own failure is the handler's to see, not this hook's).
    const writing = state.writing;
    if (writing !== undefined) {
      const again = () => this.#commit(ctx, session);
      return writing.then(again, again);
    }
    let values: string | undefined;
    try {
      values = session.changedValuesJson();
      // A write that failed is not tried again unless the session changed since (the handler
      // caught it, and may have answered 413): the cookie the request came with stays.
      if (values !== undefined && session.failedUnchanged(values)) values = undefined;
      else if (values === undefined && state.renew) values = session.valuesJson();
    } catch (err) {
      return Promise.reject(err); // ERR_DATA_INVALID, as save() reports it
    }
    if (values !== undefined) return this.#write(ctx, session, state, values);
    if (state.bad) this.#deleteAll(ctx, this.cookieName(session.name), state); // the bad cookie goes
    return undefined;
  }

  #fresh(ctx: SessionContext, name: string, bad: boolean): Session<T> {
    const session = new Session<T>({ name, store: this, ctx, now: this.options.now });
    this.#stateOf(session).bad = bad;
    return session;
  }

  #reject(ctx: SessionContext, name: string, code: DecodeErrorCode, detail?: string): Session<T> {
    this.options.onDecodeError?.(code, detail);
    return this.#fresh(ctx, name, true);
  }

  /**
   * A cookie whose session is refused (timed out, revoked, not valid before) or whose value is
   * refused for its own times (expired, issued in the future: keepsCookie): a fresh session, and
   * no deletion staged. A Set-Cookie cannot be made conditional on what the browser
   * holds when it arrives: this request may have left before a login in another request replaced
   * the cookie (the login revokes the old session), and deleting "this" cookie would then delete
   * the new one, logging the user out right after the login. The old cookie stays refused on every
   * later request (the checks in #open run on cache hits too); it goes when a new session is
   * written over it, or at its Max-Age. The cost: one cached verification and the hooks per request.
   */
  #refuse(ctx: SessionContext, name: string, code: DecodeErrorCode, detail?: string): Session<T> {
    this.options.onDecodeError?.(code, detail);
    return this.#fresh(ctx, name, false);
  }

  // Not async: a verified-cache hit (the common read) builds the session synchronously, so the
  // registry hands it over without an async function's promise and a `.then` hop; only a miss
  // (a decrypt or MAC check) and a revocation hook that answers with a promise wait.
  //
  // Every step after an await checks that the keyring is still the one the load began with
  // (`ring`): a value opened by a ring that has since been replaced is not used, cached or
  // re-sealed; the load starts over under the new ring (`attempt` counts the starts). Else a
  // cookie forged with a key just retired (because it leaked), whose decode began before the
  // swap, would be accepted after it and re-issued under the new primary (issue #13).
  #load(ctx: SessionContext, name: string, attempt = 1): Session<T> | Promise<Session<T>> {
    const cookieName = this.cookieName(name);
    const ring = this.#keyring;
    // The cache first, keyed by the value as it stands in the header, not checked for control
    // characters (findCookieUnchecked): a hit is a value this store wrote or verified, which
    // holds none, so it is exactly what the checked lookup below would find. ~1 µs per request.
    const cache = this.#cache;
    const header = ctx.headers?.['cookie'];
    if (cache !== undefined && typeof header === 'string') {
      const key = findCookieUnchecked(header, cookieName);
      if (key !== undefined) {
        cache.sync(ring);
        const hit = cache.get(key);
        if (hit !== undefined && hit.name === cookieName) return this.#open(ctx, name, hit, undefined, ring, attempt);
      }
    }
    const raw = this.#cookies.read(ctx, cookieName);
    if (raw === undefined) return this.#fresh(ctx, name, false);
    if (typeof raw === 'object') return this.#reject(ctx, name, 'ERR_COOKIE_MALFORMED', raw.refused);
    // Cheap checks first: nothing this store wrote is longer (the codec would refuse it too, later).
    if (cookieName.length + raw.length > this.#cookies.limit) return this.#reject(ctx, name, 'ERR_COOKIE_TOO_LARGE');

    this.#cache?.sync(ring);
    // Keyed by the value alone, the name checked on the entry: a `${name}=${value}` key is a
    // cons string that Map.get must flatten (a copy of ~220 chars) before hashing, on every
    // request. A value verified for one name never opens under another (the codec binds the
    // name), so one entry per value is enough.
    const verified = this.#cache?.get(raw);
    if (verified === undefined || verified.name !== cookieName) return this.#loadMiss(ctx, name, cookieName, raw, ring, attempt);
    return this.#open(ctx, name, verified, undefined, ring, attempt);
  }

  /** The keyring changed while load `attempt` awaited: start over under the new one, or give up. */
  #again(ctx: SessionContext, name: string, attempt: number): Session<T> | Promise<Session<T>> {
    if (attempt >= MAX_LOAD_ATTEMPTS) return this.#reject(ctx, name, 'ERR_COOKIE_KEY_UNKNOWN', 'the keyring was replaced during every attempt to open the cookie');
    return this.#load(ctx, name, attempt + 1);
  }

  /** A value the cache does not know: decode it (Web Crypto), check its shape, remember it. */
  async #loadMiss(ctx: SessionContext, name: string, cookieName: string, raw: string, ring: Keyring, attempt: number): Promise<Session<T>> {
    let record: SessionRecord<T>;
    let verified: VerifiedEntry;
    const codec = this.#codec;
    try {
      const decoded = await codec.decode(cookieName, raw);
      // Opened (or refused) by a ring replaced meanwhile: its verdict no longer counts, either way.
      if (codec !== this.#codec) return this.#again(ctx, name, attempt);
      if (!isRecord(decoded.data)) return this.#reject(ctx, name, 'ERR_COOKIE_MALFORMED', 'payload is not a session record');
      // The codec reports ms; whole seconds here, as written into the envelope.
      record = decoded.data as SessionRecord<T>;
      verified = { name: cookieName, meta: metaOf(record), values: JSON.stringify(record.v), issuedAt: decoded.issuedAt / 1000, expiresAt: decoded.expiresAt / 1000, keyId: decoded.keyId, flat: undefined };
    } catch (err) {
      if (err instanceof SessionError && err.kind === 'internal') throw err;
      if (codec !== this.#codec) return this.#again(ctx, name, attempt);
      // Attacker-controlled input: whatever the codec disliked, the answer is "no session".
      if (SessionError.isDecode(err)) {
        const code = err.code as DecodeErrorCode;
        // Refused by its own times (expired, issued in the future): left in place (keepsCookie).
        return keepsCookie(code) ? this.#refuse(ctx, name, code, err.detail) : this.#reject(ctx, name, code, err.detail);
      }
      return this.#reject(ctx, name, 'ERR_COOKIE_MALFORMED', err instanceof Error ? err.message : undefined);
    }
    this.#cache?.set(raw, verified, ring);
    return this.#open(ctx, name, verified, record, ring, attempt);
  }

  /**
   * The checks every load makes, cache hit or not, then the session. `record` is the decoded
   * record on a miss (this request owns it); on a hit it is built from the cached entry.
   */
  #open(ctx: SessionContext, name: string, verified: VerifiedEntry, record: SessionRecord<T> | undefined, ring: Keyring, attempt: number): Session<T> | Promise<Session<T>> {
    const nowS = Math.floor(this.options.now() / 1000);
    // The timeouts before the envelope expiry (which is the earlier of their two deadlines), so
    // that a cache hit reports which one ended the session. A miss past its expiry never gets
    // here: the codec refuses it first, as ERR_COOKIE_EXPIRED.
    const meta = verified.meta;
    // None of these deletes the cookie, as a miss the codec refuses for its times does not
    // (keepsCookie): whether the value was cached must not change what the response does.
    const timedOut = timeoutReason(this.options, meta.c, verified.issuedAt, nowS);
    if (timedOut !== undefined) return this.#refuse(ctx, name, timedOut);
    if (nowS >= verified.expiresAt) return this.#refuse(ctx, name, 'ERR_COOKIE_EXPIRED');
    if (this.options.isRevoked !== undefined || this.options.notValidBefore !== undefined) {
      const revoked = revocationVerdict(this.options, { id: meta.i, subject: meta.s, createdAt: meta.c });
      // Hooks that answered at once leave nothing to wait for: no await, so nothing can change.
      if (typeof revoked === 'object') return this.#openAfterHooks(ctx, name, verified, record, nowS, ring, attempt, revoked);
      if (revoked !== undefined) return this.#refuse(ctx, name, revoked);
    }
    return this.#session(ctx, name, verified, record, nowS, ring);
  }

  async #openAfterHooks(
    ctx: SessionContext, name: string, verified: VerifiedEntry, record: SessionRecord<T> | undefined, nowS: number, ring: Keyring, attempt: number,
    verdict: Promise<DecodeErrorCode | undefined>,
  ): Promise<Session<T>> {
    const revoked = await verdict;
    // The hook awaited: a ring replaced meanwhile may have dropped the key that verified `verified`.
    if (ring !== this.#keyring) return this.#again(ctx, name, attempt);
    if (revoked !== undefined) return this.#refuse(ctx, name, revoked);
    return this.#session(ctx, name, verified, record, nowS, ring);
  }

  /** The session of a verified value; `ring` is the store's keyring, which verified it (no await since). */
  #session(ctx: SessionContext, name: string, verified: VerifiedEntry, record: SessionRecord<T> | undefined, nowS: number, ring: Keyring): Session<T> {
    let flat: FlatValues | undefined;
    if (record === undefined) ({ record, flat } = recordOf<T>(verified));
    const session = new Session<T>({ name, store: this, ctx, now: this.options.now, record, snapshot: verified.values, flat });
    const state = this.#stateOf(session);
    state.lastWritten = verified.issuedAt;
    state.ring = ring;
    state.keyId = verified.keyId;
    // Rotation: a cookie opened with an old key is re-sealed with the primary on this response.
    state.renew = verified.keyId !== ring.primaryId || renewalDue(this.options, verified.issuedAt, nowS);
    return session;
  }
}

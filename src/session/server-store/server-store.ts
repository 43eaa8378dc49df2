/**
 * What the server-side stores (`MemoryStore`, `FileStore`, `RedisStore`) share: the cookie carries
 * only the session id, signed and bound to the cookie name; the record lives in a backend.
 *
 * Everything a handler sees — timeouts, renewal, flashes, `regenerate()`, `destroy()`, auto-commit,
 * the revocation hooks — comes from the same code `CookieStore` uses (`Session`, the registry and
 * `store-options`), so swapping stores changes where data lives and nothing else.
 *
 * What the server side adds:
 * - `destroy()` and `regenerate()` delete the old record, so a replayed or stolen cookie finds nothing.
 * - `list(subject)`, `revoke(id)` and `revokeAll(subject, { except })`: "your active sessions" and
 *   "log out everywhere else" (ASVS 5.0 7.4.3, 7.4.4), effective on the very next request.
 * - Storage failures surface as `ERR_STORE_UNAVAILABLE` (kind `internal`): the app answers 503.
 *   A bad cookie is still only "no session".
 *
 * The id cookie itself (signing, verifying, the verified-value cache, and why the id is signed at
 * all) is `session-id-cookie.ts`; the stored record, its metadata and the `list()` entries, `stored-record.ts`;
 * the per-session state and what a write decides from it (keep or re-sign the id cookie, a key gone
 * from the ring, a destroy() meanwhile), `load-state.ts`.
 * @module
 */
import type { DecodeErrorCode } from '../../errors.js';
import type { Keyring } from '../../keys/keyring.js';
import { DEFAULT_MAX_DATA_BYTES, type ServerStoreOptions, type SessionInfo } from './server-store-options.js';
import { SessionIdCookie } from './session-id-cookie.js';
import { type LoadState, cookieLags, cookieLastsEnough, destroyedSince, keyLeft } from './load-state.js';
import { type RecordBackend, isSessionId, toSessionInfo, toStoredRecord } from './stored-record.js';
import { SessionRegistry, destroyedSessionError } from '../core/registry.js';
import { Session } from '../core/session.js';
import { isRecord, recordJson, type SessionRecord, type SessionValues } from '../core/session-record.js';
import { type ResolvedStoreOptions, keepsCookie, lifetime, renewalDue, revocationReason, timeoutReason } from '../core/store-options.js';
import { SessionCookieWriter } from '../core/cookie-writer.js';
import { SessionTooLargeError } from '../core/session-too-large-error.js';
import { utf8ByteLength } from '../../cookie/size.js';
import { requestCookie, type SessionContext, type Store } from '../core/types.js';

/** How often a load starts over because the keyring was replaced while it awaited (see CookieStore). */
const MAX_LOAD_ATTEMPTS = 3;

function ignore(): void {}

/** The UTF-8 size of `json` when it is over `max` bytes; `undefined` when it fits. */
function sizeOver(json: string, max: number): number | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most sessions are decided without counting.
  if (json.length * 3 <= max) return undefined;
  const size = utf8ByteLength(json);
  return size > max ? size : undefined;
}

/**
 * The shared implementation of the server-side stores. Use {@link MemoryStore}, `FileStore` or
 * `RedisStore`; this class holds what they have in common.
 *
 * @example
 * ```ts
 * const store = new MemoryStore<{ userId?: string }>({ keyring });
 * const mine = await store.list(session.subject!, { current: session.id });
 * await store.revokeAll(session.subject!, { except: session.id }); // log out everywhere else
 * ```
 */
export class ServerSideStore<T extends SessionValues = SessionValues> implements Store<T> {
  readonly #backend: RecordBackend;
  readonly #ids: SessionIdCookie;
  readonly #o: ResolvedStoreOptions;
  readonly #writer: SessionCookieWriter;
  readonly #registry = new SessionRegistry<T>();
  readonly #maxDataBytes: number;

  /** For the store classes: `resolved` is `resolveServerStoreOptions(options)`. */
  protected constructor(backend: RecordBackend, options: ServerStoreOptions, resolved: ResolvedStoreOptions) {
    this.#backend = backend;
    this.#o = resolved;
    this.#writer = new SessionCookieWriter(resolved);
    this.#maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    // Signed values live at most as long as a session can: the absolute timeout.
    const maxAge = Math.ceil(resolved.absoluteTimeout);
    this.#ids = new SessionIdCookie({ keyring: options.keyring, cache: options.cache ?? true, maxAge, now: resolved.now });
  }

  /**
   * The keyring that signs and verifies the id cookie. Assign a new one to rotate keys without a
   * restart; cookies verified under the old ring are forgotten at once.
   *
   * @example
   * ```ts
   * process.on('SIGHUP', async () => { store.keyring = await Keyring.create(await loadKeys()); });
   * ```
   */
  get keyring(): Keyring {
    return this.#ids.keyring;
  }
  set keyring(keyring: Keyring) {
    this.#ids.keyring = keyring;
  }

  /** The full cookie name of session `name`: the prefix, then the name. */
  cookieName(name: string): string {
    return this.#o.prefix + name;
  }

  get(ctx: SessionContext, name: string): Promise<Session<T>> {
    const invalid = this.#registry.checkName(name, this.cookieName(name));
    if (invalid !== undefined) return Promise.reject(invalid);
    return this.#registry.get(ctx, name, () => this.#load(ctx, name), (session) => this.#commit(ctx, session));
  }

  async save(ctx: SessionContext, session: Session<T>): Promise<void> {
    // A session of another store (or none) has no state of ours.
    const state = session.storeState as LoadState | undefined;
    // One write at a time: two in flight may finish in either order, and the cookie and record
    // left last could then be the older ones. The values are serialized once it is our turn.
    while (state?.writing !== undefined) await state.writing.then(ignore, ignore);
    if (session.destroyed) {
      throw destroyedSessionError();
    }
    return this.#write(ctx, session, state, session.valuesJson());
  }

  /** Writes the session (its values serialized as `values`); no other write of it is in flight. */
  #write(ctx: SessionContext, session: Session<T>, state: LoadState | undefined, values: string): Promise<void> {
    const writing = this.#persist(ctx, session, state, values);
    if (state?.persisting === true) state.writing = writing;
    return writing;
  }

  /**
   * Stores the session as it stands now and signs its cookie. What is stored and marked saved is
   * one save point taken before the first await: a change the handler makes meanwhile is not in
   * this record, so it stays to be written (by the auto-commit, which waits for this write).
   */
  async #persist(ctx: SessionContext, session: Session<T>, state: LoadState | undefined, values: string): Promise<void> {
    if (state !== undefined) state.persisting = true;
    try {
      if (state !== undefined && keyLeft(this.#ids.keyring, state)) return this.#drop(ctx, session);
      const live = session.toRecord();
      const point = session.savePoint(values);
      // Before anything is copied or written: one session must not fill the memory, disk or Redis
      // every session shares. Marked failed as a failed write is, so the auto-commit does not try
      // the same values again (docs/sessions.md, "A save that fails").
      const size = sizeOver(values, this.#maxDataBytes);
      if (size !== undefined) {
        session.markFailed(point);
        throw new SessionTooLargeError(session.name, size, this.#maxDataBytes, 'record');
      }
      // A copy of the record as it stands: the backend serializes it after our awaits, by when
      // the handler may have changed the live one.
      const data = JSON.parse(recordJson(live, values)) as SessionRecord<T>;
      const now = this.#o.now();
      const previous = session.storedId;
      const destroys = state?.destroys;
      try {
        const life = lifetime(this.#o, data.c, now / 1000);
        const record = toStoredRecord(data, ctx, now, life);
        // A session this request loaded (same id) is only updated, never re-created: if it was revoked
        // or destroyed by another request meanwhile, writing it back would undo the revocation.
        let written = await this.#backend.set(record, previous === data.i);
        if (written && previous !== undefined && previous !== data.i) {
          // After regenerate(): the old id must stop working at once (session fixation, stolen
          // cookies). Written first, deleted second: deleting first lost the session the browser
          // still holds when the write then failed (a 503). And a regenerate may only carry on a
          // session that still existed: if a logout or revokeAll took the old record while this
          // request ran, the new one goes too, or it would bring the revoked session back.
          if (!(await this.#backend.delete(previous))) {
            await this.#backend.delete(data.i);
            written = false;
          }
        }
        // destroy() was called while this write awaited (a logout after the response began, after a
        // save() not awaited). It deleted the record it knew of, the one loaded, and staged the
        // cookie's deletion. The later call wins: a record this write created under a new id
        // (regenerate()) goes too, or the session the app just ended would live on under it; and
        // no cookie is staged over the deletion. Checked again after the signature's await.
        if (destroyedSince(state, destroys)) {
          if (written && data.i !== previous) await this.#backend.delete(data.i);
          return;
        }
        if (!written) {
          // The record went while this request ran (a logout, revokeAll, or a login's regenerate()
          // in another request): the session is over, and nothing is staged, not even the cookie's
          // deletion. The browser may hold a newer cookie by now (see #load).
          this.#o.onDecodeError?.('ERR_SESSION_NOT_FOUND', 'the record was removed while this request was in flight');
          session.markDestroyed();
          return;
        }
        const cookie = cookieLastsEnough(this.#o, this.#ids.keyring, state, previous === data.i, now, life) ? undefined : await this.#signId(session.name, data.i, life);
        if (destroyedSince(state, destroys)) {
          if (data.i !== previous) await this.#backend.delete(data.i);
          return;
        }
        if (cookie !== undefined) {
          this.#writer.write(ctx, this.cookieName(session.name), cookie, life);
          if (state !== undefined) state.cookieExpiresAt = now + life * 1000;
        }
      } catch (err) {
        session.markFailed(point);
        throw err;
      }
      session.markSaved(point);
      if (state !== undefined) {
        state.lastSeenAt = now;
        state.badCookie = false;
        state.stale = false;
      }
    } finally {
      if (state !== undefined) {
        state.persisting = false;
        state.writing = undefined;
      }
    }
  }

  /** Ends the session of a cookie whose key left the ring: as if the request had come a moment later. */
  #drop(ctx: SessionContext, session: Session<T>): void {
    this.#o.onDecodeError?.('ERR_COOKIE_KEY_UNKNOWN', 'the key that verified this session\'s cookie left the keyring while the request ran');
    ctx.deleteCookie(this.cookieName(session.name), this.#o.attributes);
    session.markDestroyed();
  }

  async destroy(ctx: SessionContext, session: Session<T>): Promise<void> {
    const state = session.storeState as LoadState | undefined;
    // Counted before the await below: a write in flight sees it when it resumes (#persist).
    if (state !== undefined) state.destroys++;
    const cookie = this.cookieName(session.name);
    const stored = session.storedId;
    if (stored !== undefined) await this.#backend.delete(stored);
    if (stored !== undefined || requestCookie(ctx, cookie) !== undefined) ctx.deleteCookie(cookie, this.#o.attributes);
    session.markDestroyed();
  }

  /**
   * The live sessions of `subject`, most recently seen first. Pass the current session's id as
   * `current` to have it marked.
   *
   * @example
   * ```ts
   * for (const s of await store.list(session.subject!, { current: session.id })) {
   *   console.log(s.current ? '(this device)' : '', s.userAgent, s.ip, new Date(s.lastSeenAt));
   * }
   * ```
   */
  async list(subject: string, options: { current?: string } = {}): Promise<SessionInfo[]> {
    const records = await this.#backend.listBySubject(subject);
    return records
      .map((r) => toSessionInfo(r, subject, options.current))
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt || a.id.localeCompare(b.id));
  }

  /**
   * Ends one session now: its next request finds nothing. With `subject`, only a session of that
   * subject is revoked (use it when the id comes from a form). Resolves to whether one was.
   *
   * @example
   * ```ts
   * await store.revoke(form.get('id')!, { subject: session.subject }); // from "your active sessions"
   * ```
   */
  async revoke(id: string, options: { subject?: string | undefined } = {}): Promise<boolean> {
    if (!isSessionId(id)) return false;
    const record = await this.#backend.get(id);
    if (record === undefined) return false;
    // `{ subject: session.subject }` from a visitor with no subject must not revoke anyone's session.
    if ('subject' in options && (options.subject === undefined || record.subject !== options.subject)) return false;
    await this.#backend.delete(id);
    return true;
  }

  /**
   * Ends every session of `subject` now, except those listed in `except`; resolves to how many
   * ended. Use it for "log out everywhere else", after a password change, or to disable an account.
   *
   * @example
   * ```ts
   * await store.revokeAll(user.id, { except: session.id }); // keep this device signed in
   * await store.revokeAll(user.id);                         // account disabled: everywhere
   * ```
   */
  revokeAll(subject: string, options: { except?: string | readonly string[] } = {}): Promise<number> {
    const except = options.except;
    return this.#backend.deleteBySubject(subject, new Set(typeof except === 'string' ? [except] : (except ?? [])));
  }

  /** Stops background work (the file store's sweeper). The store is unusable afterwards. */
  close(): Promise<void> {
    return this.#backend.close();
  }

  async #load(ctx: SessionContext, name: string, attempt = 1): Promise<Session<T>> {
    const cookie = this.cookieName(name);
    const value = requestCookie(ctx, cookie);
    if (value === undefined) return this.#fresh(ctx, name, false);
    const now = this.#o.now();
    // The ring the cookie is verified under; checked again once every await below is done.
    const ring = this.#ids.keyring;
    const verified = this.#ids.cached(cookie, value, now) ?? (await this.#ids.verify(cookie, value, now));
    // A value refused for its own times (expired, issued in the future) is left in place too.
    if (!verified.ok) return keepsCookie(verified.code) ? this.#refuse(ctx, name, verified.code, verified.detail) : this.#reject(ctx, name, verified.code, verified.detail);
    const { id, stale, keyId, expiresAt } = verified;
    // ERR_STORE_UNAVAILABLE propagates: the handler fails and the app answers 503.
    const record = await this.#backend.get(id);
    const data = record?.data as SessionRecord<T> | undefined;
    // From here on the cookie is authentic: a session refused below (its record gone, timed out,
    // revoked) gets a fresh session, but its cookie is not deleted (#refuse says why).
    if (record === undefined) return this.#refuse(ctx, name, 'ERR_SESSION_NOT_FOUND', 'no record for this id (destroyed, revoked, expired or evicted)');
    if (!isRecord(data) || data.i !== id) {
      this.#ids.forget(value);
      // A record whose data is not this session's (another version, a hand edit) goes too: left
      // in place it was still listed as a live session and counted by revokeAll.
      await this.#backend.delete(id);
      return this.#refuse(ctx, name, 'ERR_SESSION_NOT_FOUND', 'the record for this id holds no session of its own: deleted');
    }
    const why =
      timeoutReason(this.#o, data.c, record.lastSeenAt / 1000, now / 1000) ??
      (await revocationReason(this.#o, { id, subject: data.s, createdAt: data.c }));
    if (why !== undefined) {
      // The record goes, so the id stays refused on every later request (as ERR_SESSION_NOT_FOUND).
      await this.#backend.delete(id);
      return this.#refuse(ctx, name, why, undefined);
    }
    // The ring was replaced while this load awaited (the signature, the backend, the revocation
    // hook): the cookie was verified by the old ring, whose keys may include one just retired.
    // Start over under the new ring, as CookieStore does.
    if (ring !== this.#ids.keyring) {
      if (attempt < MAX_LOAD_ATTEMPTS) return this.#load(ctx, name, attempt + 1);
      return this.#reject(ctx, name, 'ERR_COOKIE_KEY_UNKNOWN', 'the keyring was replaced during every attempt to open the cookie');
    }
    const session = new Session<T>({ name, store: this, ctx, now: this.#o.now, record: data });
    session.storeState = { lastSeenAt: record.lastSeenAt, badCookie: false, stale, cookieExpiresAt: expiresAt, ring, keyId, writing: undefined, persisting: false, destroys: 0 } satisfies LoadState;
    return session;
  }

  #reject(ctx: SessionContext, name: string, code: DecodeErrorCode, detail: string | undefined): Session<T> {
    this.#o.onDecodeError?.(code, detail);
    return this.#fresh(ctx, name, true);
  }

  /**
   * An authentic id cookie whose session is refused (its record gone, timed out, revoked, not valid
   * before): a fresh session, and no deletion staged. A Set-Cookie cannot be made conditional on
   * what the browser holds when it arrives: this request may have left before a login in another
   * request replaced the cookie (its regenerate() deleted this id, or the app revoked the old
   * session), and deleting "this" cookie would then delete the new one, logging the user out right
   * after the login. express-session likewise never deletes the cookie of a missing session. The
   * cost: a browser keeps sending the dead id, one record lookup (a miss) per request, until a new
   * session replaces the cookie or its Max-Age ends. The verified value stays cached, so that
   * lookup is all it costs.
   */
  #refuse(ctx: SessionContext, name: string, code: DecodeErrorCode, detail: string | undefined): Session<T> {
    this.#o.onDecodeError?.(code, detail);
    return this.#fresh(ctx, name, false);
  }

  #fresh(ctx: SessionContext, name: string, badCookie: boolean): Session<T> {
    const session = new Session<T>({ name, store: this, ctx, now: this.#o.now });
    session.storeState = { lastSeenAt: 0, badCookie, stale: false, cookieExpiresAt: 0, ring: undefined, keyId: '', writing: undefined, persisting: false, destroys: 0 } satisfies LoadState;
    return session;
  }

  /** Auto-commit, run before the headers go out. */
  async #commit(ctx: SessionContext, session: Session<T>): Promise<void> {
    const state = session.storeState as LoadState;
    // A save() the handler did not await is still writing: wait for it, then write what changed
    // meanwhile (its own failure is the handler's to see, not this hook's).
    while (state.writing !== undefined) await state.writing.then(ignore, ignore);
    if (session.destroyed) return;
    let values: string | undefined;
    try {
      values = session.changedValuesJson();
    } catch {
      return this.save(ctx, session); // which reports ERR_DATA_INVALID
    }
    // A write that failed is not tried again unless the session changed since (the handler caught
    // it and answered): the record and the cookie the request came with stay as they were.
    if (values !== undefined) return session.failedUnchanged(values) ? undefined : this.#write(ctx, session, state, values);
    if (session.isNew) {
      if (state.badCookie) ctx.deleteCookie(this.cookieName(session.name), this.#o.attributes);
      return;
    }
    const now = this.#o.now();
    if (renewalDue(this.#o, state.lastSeenAt / 1000, now / 1000)) return this.save(ctx, session);
    // Key rotation, or a cookie that earlier writes kept and that now lags the record (cookieLags): same
    // record, the cookie re-signed (with the primary key) on this response.
    const life = lifetime(this.#o, session.createdAt, now / 1000);
    if (state.stale || cookieLags(this.#o, state, now, life)) {
      if (keyLeft(this.#ids.keyring, state)) return this.#drop(ctx, session);
      const destroys = state.destroys;
      const value = await this.#signId(session.name, session.id, life);
      // A destroy() during the signature staged the cookie's deletion: keep it (see #persist).
      if (state.destroys !== destroys) return;
      this.#writer.write(ctx, this.cookieName(session.name), value, life);
      state.stale = false;
      state.cookieExpiresAt = now + life * 1000;
    }
  }

  /** The id cookie's value for session `name`: `id` signed with the primary key. */
  #signId(name: string, id: string, life: number): Promise<string> {
    return this.#ids.sign(this.cookieName(name), id, life);
  }
}

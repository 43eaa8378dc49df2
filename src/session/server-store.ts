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
 * all) is `session-id-cookie.ts`; the record's metadata and the `list()` entries, `record-metadata.ts`.
 * @module
 */
import type { DecodeErrorCode } from '../errors.js';
import type { Keyring } from '../keys/keyring.js';
import type { ServerStoreOptions, SessionInfo } from './server-store-options.js';
import { SessionIdCookie } from './session-id-cookie.js';
import type { RecordBackend } from './record.js';
import { isSessionId } from './record.js';
import { toSessionInfo, toStoredRecord } from './record-metadata.js';
import { isRecord } from './record-shape.js';
import { SessionRegistry, destroyedSessionError } from './registry.js';
import { Session } from './session.js';
import type { SessionRecord, SessionValues } from './session-record.js';
import { type ResolvedStoreOptions, lifetime, renewalDue, revocationReason, timeoutReason } from './store-options.js';
import { SessionCookieWriter } from './cookie-writer.js';
import { requestCookie, type SessionContext, type Store } from './types.js';

interface LoadState {
  /** When the loaded record was last written (ms); 0 for a new session. */
  lastSeenAt: number;
  /** The request carried a cookie that was not a valid session: delete it unless replaced. */
  badCookie: boolean;
  /** The cookie was signed with a key that is no longer the primary: re-sign it. */
  stale: boolean;
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

  /** For the store classes: `resolved` is `resolveServerStoreOptions(options)`. */
  protected constructor(backend: RecordBackend, options: ServerStoreOptions, resolved: ResolvedStoreOptions) {
    this.#backend = backend;
    this.#o = resolved;
    this.#writer = new SessionCookieWriter(resolved);
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
    if (session.destroyed) {
      throw destroyedSessionError();
    }
    const data = session.toRecord();
    const now = this.#o.now();
    const previous = session.storedId;
    // After regenerate(): the old id must stop working at once (session fixation, stolen cookies).
    if (previous !== undefined && previous !== data.i) await this.#backend.delete(previous);
    const life = lifetime(this.#o, data.c, now / 1000);
    const record = toStoredRecord(data, ctx, now, life);
    // A session this request loaded (same id) is only updated, never re-created: if it was revoked
    // or destroyed by another request meanwhile, writing it back would undo the revocation.
    if (!(await this.#backend.set(record, previous === data.i))) {
      this.#o.onDecodeError?.('ERR_SESSION_NOT_FOUND', 'the record was removed while this request was in flight');
      await this.destroy(ctx, session);
      return;
    }
    await this.#setCookie(ctx, session.name, data.i, life);
    session.markSaved();
    // A session of another store (or none) has no state of ours: nothing to update.
    const state = session.storeState as LoadState | undefined;
    if (state !== undefined) {
      state.lastSeenAt = now;
      state.badCookie = false;
      state.stale = false;
    }
  }

  async destroy(ctx: SessionContext, session: Session<T>): Promise<void> {
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

  async #load(ctx: SessionContext, name: string): Promise<Session<T>> {
    const cookie = this.cookieName(name);
    const value = requestCookie(ctx, cookie);
    if (value === undefined) return this.#fresh(ctx, name, false);
    const now = this.#o.now();
    const verified = this.#ids.cached(cookie, value, now) ?? (await this.#ids.verify(cookie, value, now));
    if (!verified.ok) return this.#reject(ctx, name, verified.code, verified.detail);
    const { id, stale } = verified;
    // ERR_STORE_UNAVAILABLE propagates: the handler fails and the app answers 503.
    const record = await this.#backend.get(id);
    const data = record?.data as SessionRecord<T> | undefined;
    if (record === undefined || !isRecord(data) || data.i !== id) {
      this.#ids.forget(value);
      return this.#reject(ctx, name, 'ERR_SESSION_NOT_FOUND', 'no record for this id (destroyed, revoked, expired or evicted)');
    }
    const why =
      timeoutReason(this.#o, data.c, record.lastSeenAt / 1000, now / 1000) ??
      (await revocationReason(this.#o, { id, subject: data.s, createdAt: data.c }));
    if (why !== undefined) {
      await this.#backend.delete(id);
      return this.#reject(ctx, name, why, undefined);
    }
    const session = new Session<T>({ name, store: this, ctx, now: this.#o.now, record: data });
    session.storeState = { lastSeenAt: record.lastSeenAt, badCookie: false, stale } satisfies LoadState;
    return session;
  }

  #reject(ctx: SessionContext, name: string, code: DecodeErrorCode, detail: string | undefined): Session<T> {
    this.#o.onDecodeError?.(code, detail);
    return this.#fresh(ctx, name, true);
  }

  #fresh(ctx: SessionContext, name: string, badCookie: boolean): Session<T> {
    const session = new Session<T>({ name, store: this, ctx, now: this.#o.now });
    session.storeState = { lastSeenAt: 0, badCookie, stale: false } satisfies LoadState;
    return session;
  }

  /** Auto-commit, run before the headers go out. */
  async #commit(ctx: SessionContext, session: Session<T>): Promise<void> {
    if (session.destroyed) return;
    if (session.changed) return this.save(ctx, session);
    const state = session.storeState as LoadState;
    if (session.isNew) {
      if (state.badCookie) ctx.deleteCookie(this.cookieName(session.name), this.#o.attributes);
      return;
    }
    const now = this.#o.now();
    if (renewalDue(this.#o, state.lastSeenAt / 1000, now / 1000)) return this.save(ctx, session);
    // Key rotation: same record, but the cookie is re-signed with the primary key on this response.
    if (state.stale) {
      await this.#setCookie(ctx, session.name, session.id, lifetime(this.#o, session.createdAt, now / 1000));
      state.stale = false;
    }
  }

  async #setCookie(ctx: SessionContext, name: string, id: string, life: number): Promise<void> {
    const cookie = this.cookieName(name);
    const value = await this.#ids.sign(cookie, id, life);
    this.#writer.write(ctx, cookie, value, life);
  }
}

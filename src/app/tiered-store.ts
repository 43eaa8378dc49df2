/**
 * `--session-store redis` without a Redis key per visitor: a session is kept in Redis only once
 * a user has signed in. Before that (the login form's CSRF secret, the "You have been logged out"
 * flash) it lives in a sealed cookie of its own, `__Host-visitor`, as every session does with the
 * cookie store.
 *
 * Why: with every session in Redis, each request for `/login` without a cookie stored a record
 * (about 300 bytes, kept for the idle timeout). A client looping on `/login` grew Redis without
 * bound, and the revocations and login counters share that Redis under `noeviction`, so a full
 * Redis refused their writes too. Now an anonymous visitor costs the server nothing with either
 * store, and only an account holder, who has passed the login limiter and a password check, can
 * make a record.
 *
 * The routes see one {@link Store}: `get` answers with the signed-in session when the request
 * carries a live one, else with the visitor's. Signing in and out cross between the two
 * ({@link TieredStore.signIn}, {@link TieredStore.signOut}).
 * @module
 */
import type { Keyring } from '../keys/keyring.js';
import type { CookieStore } from '../session/cookie-store/cookie-store.js';
import type { Session } from '../session/core/session.js';
import { requestCookie, type SessionContext, type Store } from '../session/core/types.js';
import type { RedisStore } from '../session/server-store/redis/redis-store.js';
import type { AppSessionValues } from './session-values.js';

/** The name of the anonymous session: its cookie is `__Host-visitor` (`visitor` with insecure cookies). */
export const VISITOR_SESSION = 'visitor';

/**
 * Anonymous sessions in a sealed cookie, signed-in ones in Redis.
 *
 * @example
 * ```ts
 * const store = new TieredStore(new CookieStore({ keyring }), new RedisStore({ keyring, client }));
 * const session = await store.get(ctx, 'session'); // no Redis command for a visitor without a session cookie
 * ```
 */
export class TieredStore implements Store<AppSessionValues> {
  constructor(
    /** Where an anonymous visitor's session lives: its own sealed cookie. */
    readonly visitors: CookieStore<AppSessionValues>,
    /** Where a signed-in user's session lives. */
    readonly server: RedisStore<AppSessionValues>,
  ) {}

  /** The keyring of both: the id cookie is signed and the visitor cookie sealed with it. */
  get keyring(): Keyring {
    return this.server.keyring;
  }

  set keyring(keyring: Keyring) {
    this.server.keyring = keyring;
    this.visitors.keyring = keyring;
  }

  /** The cookie of a signed-in session called `name` (the signed session id). */
  cookieName(name: string): string {
    return this.server.cookieName(name);
  }

  /** The cookie names a session of this app may come in: the signed-in one, then the visitor's. */
  cookieNames(name: string): readonly string[] {
    return [this.server.cookieName(name), this.visitors.cookieName(VISITOR_SESSION)];
  }

  /**
   * The request's signed-in session when its cookie opens one, else the visitor's session. A
   * request without a session-id cookie sends no command to Redis.
   */
  async get(ctx: SessionContext, name: string): Promise<Session<AppSessionValues>> {
    if (requestCookie(ctx, this.server.cookieName(name)) !== undefined) {
      const session = await this.server.get(ctx, name);
      // A record without a user (made by a version that kept visitors in Redis) is not used; it
      // ends at its absolute timeout at the latest.
      if (session.subject !== undefined) return session;
    }
    return this.visitors.get(ctx, VISITOR_SESSION);
  }

  save(_ctx: SessionContext, session: Session<AppSessionValues>): Promise<void> {
    return session.save();
  }

  destroy(_ctx: SessionContext, session: Session<AppSessionValues>): Promise<void> {
    return session.destroy();
  }

  /**
   * The session of a user who has just signed in: a new Redis record, with a new id (so an id
   * planted before login is useless after it). The visitor cookie is deleted.
   */
  async signIn(ctx: SessionContext, name: string): Promise<Session<AppSessionValues>> {
    // Its cookie goes (destroying a visitor who sent none deletes nothing).
    await (await this.visitors.get(ctx, VISITOR_SESSION)).destroy();
    const session = await this.server.get(ctx, name);
    // A login starts a new session; it does not carry the old one on. regenerate() alone would
    // (and the store drops such a write when the old record went meanwhile: a logout elsewhere
    // must not be undone by a request that was in flight). The old record goes here, then the new
    // one is created whatever became of it: the user has just proved who they are.
    if (session.storedId !== undefined) await session.destroy();
    session.regenerate();
    return session;
  }

  /**
   * Ends `session` (its Redis record and cookie, or the visitor cookie) and returns the fresh
   * anonymous session the goodbye flash and the next login form's CSRF secret go into.
   */
  async signOut(ctx: SessionContext, session: Session<AppSessionValues>): Promise<Session<AppSessionValues>> {
    await session.destroy();
    // The anonymous session that follows: the visitor's own when `session` was it (the registry
    // hands back the same object, and a second destroy() changes nothing), else the visitor
    // cookie's. Emptied either way: a visitor cookie can outlive the login that deleted it (a login
    // form loaded in another tab during the login), and what it holds, that form's CSRF secret
    // among it, does not carry over.
    const visitor = await this.visitors.get(ctx, VISITOR_SESSION);
    await visitor.destroy();
    visitor.regenerate();
    return visitor;
  }
}

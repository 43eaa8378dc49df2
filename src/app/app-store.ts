/**
 * The reference app's session store, chosen at start-up: `cookie` keeps the whole session in the
 * sealed cookie (`CookieStore`); `redis` keeps a signed-in user's session in Redis behind a signed
 * session-id cookie (`RedisStore`), which makes "your active sessions" and ending one of them
 * possible, and an anonymous visitor's in a sealed cookie still (tiered-store.ts). Routes see the
 * two through what they share (`get`, `save`, `destroy`, `cookieName`, `keyring`), sign in and out
 * with {@link signedInSession} and {@link signedOutSession}; the session list and its routes
 * narrow with {@link serverSessions}.
 * @module
 */
import { SessionError } from '../errors.js';
import type { Keyring } from '../keys/keyring.js';
import { CookieStore } from '../session/cookie-store/cookie-store.js';
import type { Session } from '../session/core/session.js';
import type { SessionStoreOptions } from '../session/core/store-options.js';
import type { SessionContext } from '../session/core/types.js';
import type { RedisClientLike } from '../session/server-store/redis/redis-records.js';
import { RedisStore } from '../session/server-store/redis/redis-store.js';
import type { ServerSideStore } from '../session/server-store/server-store.js';
import type { AppSessionValues } from './session-values.js';
import { TieredStore } from './tiered-store.js';

/** Where sessions live: in the sealed cookie, or in Redis. */
export type SessionStoreKind = 'cookie' | 'redis';

/** The app's store: either kind, used through what both have. */
export type AppStore = CookieStore<AppSessionValues> | TieredStore;

/** What {@link createAppStore} needs. */
export interface AppStoreOptions {
  kind: SessionStoreKind;
  keyring: Keyring;
  /** Required for `redis`: a connected client (see RedisClientLike). */
  redisClient: RedisClientLike | undefined;
  /** Entries of the verified-value cache; 0 turns it off. */
  cacheEntries: number;
  /** For `redis`: the prefix of the session keys, the same as the revocations' and limits'. Default `cachet:`. */
  redisPrefix?: string | undefined;
  /** Options both stores share: cookie attributes, timeouts, clock, hooks. */
  common: SessionStoreOptions;
}

/**
 * Builds the store of `kind`. A `redis` store without a client is a usage error, thrown here,
 * at start-up, rather than a 503 on the first request.
 *
 * @example
 * ```ts
 * const store = createAppStore({ kind: 'redis', keyring, redisClient: client, cacheEntries: 5000, common: { idleTimeout: 1800 } });
 * ```
 */
export function createAppStore(options: AppStoreOptions): AppStore {
  const cache = options.cacheEntries === 0 ? false : { maxEntries: options.cacheEntries };
  const sealed = () => new CookieStore<AppSessionValues>({ ...options.common, keyring: options.keyring, mode: 'sealed', cache });
  if (options.kind === 'cookie') return sealed();
  if (options.kind !== 'redis') {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `sessionStore must be 'cookie' or 'redis' (got ${JSON.stringify(String(options.kind))}).`);
  }
  if (options.redisClient === undefined) {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', "sessionStore 'redis' needs redisClient: a connected Redis client (start the server with --redis URL).");
  }
  return new TieredStore(sealed(), new RedisStore<AppSessionValues>({
    ...options.common,
    keyring: options.keyring,
    client: options.redisClient,
    cache,
    ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
  }));
}

/**
 * The store as a server-side store (with `list`, `revoke`, `revokeAll`), or `undefined` for the
 * cookie store, whose sessions exist only in the browsers that hold them.
 *
 * @example
 * ```ts
 * const server = serverSessions(store);
 * if (server !== undefined) await server.revokeAll(user);
 * ```
 */
export function serverSessions(store: AppStore): ServerSideStore<AppSessionValues> | undefined {
  return store instanceof TieredStore ? store.server : undefined;
}

/**
 * The session of a user who has just signed in, with a new id and creation time: whatever session
 * the request came with is replaced (session fixation, ASVS 5.0 7.2.4). With Redis it is a new
 * record, and the visitor cookie goes.
 *
 * @example
 * ```ts
 * const session = await signedInSession(store, ctx, 'session');
 * session.subject = user.name;
 * ```
 */
export async function signedInSession(store: AppStore, ctx: SessionContext, name: string): Promise<Session<AppSessionValues>> {
  if (store instanceof TieredStore) return store.signIn(ctx, name);
  const session = await store.get(ctx, name);
  session.regenerate();
  return session;
}

/**
 * Destroys `session` (its cookie, and its record with Redis) and returns the fresh anonymous
 * session that the goodbye flash and the next login form's CSRF secret go into.
 *
 * @example
 * ```ts
 * const next = await signedOutSession(store, ctx, session);
 * setFlash(next, 'You have been logged out.');
 * ```
 */
export async function signedOutSession(store: AppStore, ctx: SessionContext, session: Session<AppSessionValues>): Promise<Session<AppSessionValues>> {
  if (store instanceof TieredStore) return store.signOut(ctx, session);
  await session.destroy();
  session.regenerate();
  return session;
}

/**
 * Sets the one message the next page shows, replacing any not shown yet. The app shows one message
 * per action; adding instead let a client that signs in again and again without opening a page
 * (taking each new CSRF token from `/explain/lab`) pile "Signed in as …" flashes into its cookie
 * until the session no longer fit in 4096 bytes and every response was a 500.
 *
 * @example
 * ```ts
 * setFlash(session, 'Signed in as demo.');
 * ```
 */
export function setFlash(session: Session<AppSessionValues>, message: string): void {
  session.flashes();
  session.addFlash(message);
}

/**
 * The names of the cookies a session of this app may arrive in: one with the cookie store; the
 * signed-in id and the visitor's with Redis.
 *
 * @example
 * ```ts
 * sessionCookieNames(store, 'session'); // ['__Host-session', '__Host-visitor'] with Redis
 * ```
 */
export function sessionCookieNames(store: AppStore, name: string): readonly string[] {
  return store instanceof TieredStore ? store.cookieNames(name) : [store.cookieName(name)];
}

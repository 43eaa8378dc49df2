/**
 * The reference app's session store, chosen at start-up: `cookie` keeps the whole session in the
 * sealed cookie (`CookieStore`); `redis` keeps it in Redis behind a signed session-id cookie
 * (`RedisStore`), which makes "your active sessions" and ending one of them possible. Routes see
 * the two through what they share (`get`, `save`, `destroy`, `cookieName`, `keyring`); the
 * session list and its routes narrow with {@link serverSessions}.
 * @module
 */
import { SessionError } from '../errors.js';
import type { Keyring } from '../keys/keyring.js';
import { CookieStore } from '../session/cookie-store/cookie-store.js';
import type { SessionStoreOptions } from '../session/core/store-options.js';
import type { RedisClientLike } from '../session/server-store/redis/redis-records.js';
import { RedisStore } from '../session/server-store/redis/redis-store.js';
import { ServerSideStore } from '../session/server-store/server-store.js';
import type { AppSessionValues } from './create-app.js';

/** Where sessions live: in the sealed cookie, or in Redis. */
export type SessionStoreKind = 'cookie' | 'redis';

/** The app's store: either kind, used through what both have. */
export type AppStore = CookieStore<AppSessionValues> | RedisStore<AppSessionValues>;

/** What {@link createAppStore} needs. */
export interface AppStoreOptions {
  kind: SessionStoreKind;
  keyring: Keyring;
  /** Required for `redis`: a connected client (see RedisClientLike). */
  redisClient: RedisClientLike | undefined;
  /** Entries of the verified-value cache; 0 turns it off. */
  cacheEntries: number;
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
  if (options.kind === 'cookie') {
    return new CookieStore<AppSessionValues>({ ...options.common, keyring: options.keyring, mode: 'sealed', cache });
  }
  if (options.kind !== 'redis') {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `sessionStore must be 'cookie' or 'redis' (got ${JSON.stringify(String(options.kind))}).`);
  }
  if (options.redisClient === undefined) {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', "sessionStore 'redis' needs redisClient: a connected Redis client (start the server with --redis URL).");
  }
  return new RedisStore<AppSessionValues>({ ...options.common, keyring: options.keyring, client: options.redisClient, cache });
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
  return store instanceof ServerSideStore ? store : undefined;
}

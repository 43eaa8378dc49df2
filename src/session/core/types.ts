/**
 * The two interfaces the session layer is built around:
 * - {@link SessionContext}: what a store needs from one request/response. It is structural, so the
 *   http layer's `Context` satisfies it without this layer importing `src/http` (layers point down).
 * - {@link Store}: what every store implements. `CookieStore` keeps the data in the sealed cookie;
 *   the server-side stores (`MemoryStore`, `FileStore`, `RedisStore`) keep only a signed session id
 *   in the cookie and the data in the store. Handlers never see the difference.
 * @module
 */
import type { CookieOptions } from '../../cookie/serialize.js';
import type { Session } from './session.js';
import type { SessionValues } from './session-record.js';

/** Attributes for one `Set-Cookie`: the cookie layer's `CookieOptions`. */
export type SessionCookieAttributes = CookieOptions;

/** A hook run after the handler chain and before the response headers are written. */
export type BeforeSendHook = () => void | Promise<void>;

/**
 * The request cookie `name` of `ctx`: through `ctx.cookie` when the context has it, else from
 * `ctx.cookies`.
 *
 * @example
 * ```ts
 * const raw = requestCookie(ctx, '__Host-session'); // string | undefined
 * ```
 */
export function requestCookie(ctx: SessionContext, name: string): string | undefined {
  return ctx.cookie !== undefined ? ctx.cookie(name) : ctx.cookies[name];
}

/**
 * What a store needs from one request. The http `Context` satisfies it; so does a small fake in tests.
 *
 * @example
 * ```ts
 * // any object of this shape works, e.g. in a unit test:
 * const hooks: BeforeSendHook[] = [];
 * const ctx: SessionContext = {
 *   cookies: {},
 *   setCookie: (name, value, attrs) => { ... },
 *   deleteCookie: (name, attrs) => { ... },
 *   onBeforeSend: (hook) => { hooks.push(hook); },
 * };
 * ```
 */
export interface SessionContext {
  /** The request's cookies: a null-prototype map from name to raw value. */
  readonly cookies: Readonly<Record<string, string>>;
  /**
   * One request cookie, `cookies[name]` without building the map (the http `Context` has it).
   * Optional: a store falls back to `cookies` when it is missing.
   */
  cookie?(name: string): string | undefined;
  /** Stages a `Set-Cookie` (at most one per name; the last call wins). */
  setCookie(name: string, value: string, attributes: SessionCookieAttributes): void;
  /**
   * Stages a `Set-Cookie` already serialized (by a builder from `prepareCookie`), under `name`:
   * optional, a store uses `setCookie` when it is missing. The http `Context` has it.
   */
  setCookieHeader?(name: string, header: string): void;
  /** Stages a deletion with the same Path/Domain/prefix attributes the cookie was set with. */
  deleteCookie(name: string, attributes: SessionCookieAttributes): void;
  /** Runs `hook` before the headers go out: this is how a changed session commits itself. */
  onBeforeSend(hook: BeforeSendHook): void;
  /**
   * Request headers, for session metadata such as the user agent (server-side stores). When
   * present, `cookies` must be what its `cookie` header holds: a store may look at the raw header
   * first (CookieStore probes its verified cache with the value found there, and skips the chunk
   * cleanup when the header lacks `name.`).
   */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The client address, for session metadata (server-side stores). */
  readonly ip?: string;
}

/**
 * A session store: the Gorilla `Store` interface, for Node.
 *
 * The session name is the cookie name (the store adds its prefix, `__Host-` by default), so one
 * store serves several named sessions. `get` is cached per request and name (the registry): every
 * call for the same `ctx` and `name` returns the same `Session`, and a changed session is written
 * automatically before the response headers go out.
 *
 * @example
 * ```ts
 * async function visits(store: Store<{ visits?: number }>, ctx: SessionContext) {
 *   const session = await store.get(ctx, 'session');
 *   session.values.visits = (session.values.visits ?? 0) + 1; // committed before the headers
 *   return session.values.visits;
 * }
 * ```
 */
export interface Store<T extends SessionValues = SessionValues> {
  /** The session called `name` for this request: loaded from its cookie, or new and empty. Never throws on bad cookies. */
  get(ctx: SessionContext, name: string): Promise<Session<T>>;
  /** Writes the session now (it is also written automatically before the headers if it changed). */
  save(ctx: SessionContext, session: Session<T>): Promise<void>;
  /** Deletes the session: its cookie (and every chunk) and, for a server-side store, its record. */
  destroy(ctx: SessionContext, session: Session<T>): Promise<void>;
}

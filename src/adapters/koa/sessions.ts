/**
 * `sessions()`: cachet's sessions as Koa middleware (docs/adapters/koa.md).
 *
 * Koa answers only after the whole middleware stack has resolved, so the commit point is simply
 * after `await next()`: the changed sessions seal their cookies there and the `Set-Cookie` values
 * are appended to `ctx`, before Koa writes the status, the headers and the body (a stream too).
 * A request whose downstream throws commits nothing, as on cachet's own server: Koa's error
 * response drops the headers set so far anyway, and a half-done change (a `regenerate()` before
 * the failure) is better never written.
 *
 * Koa is never imported, not even as a type: `ctx` is described by the little this file uses.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import type { Store } from '../../session/core/types.js';
import { SessionScope } from '../../web/session-scope.js';
import { asStoreUnavailable } from '../../web/store-unavailable.js';

/** Options for {@link sessions}. */
export interface KoaSessionsOptions<T extends SessionValues> {
  /** The store every session of this app comes from (`CookieStore`, `MemoryStore`, ...). */
  store: Store<T>;
  /** The session `ctx.session` holds, and the one `ctx.sessions()` loads without a name. Default `'session'`. */
  name?: string;
  /**
   * The client address the server-side stores record in their session lists. Default `ctx.ip`
   * (which honours the app's `proxy` setting). Declared as a method so that a function taking
   * Koa's own `Context` (`(ctx: Koa.Context) => ctx.get('x-real-ip')`) fits: cachet types only the
   * part of `ctx` it uses, and Koa always passes its whole context.
   */
  ip?(ctx: KoaContextLike): string | undefined;
}

/**
 * What `sessions()` adds to `ctx`. Merge it into Koa's context to type `ctx.session` (cachet
 * itself never imports Koa):
 *
 * @example
 * ```ts
 * import type { SessionFields } from 'cachet/koa';
 * interface Values { user?: string; visits?: number }
 * declare module 'koa' {
 *   interface DefaultContext extends SessionFields<Values> {}
 * }
 * // now ctx.session.values.user is `string | undefined` in every middleware
 * ```
 */
export interface SessionFields<T extends SessionValues = SessionValues> {
  /** The session named by the `name` option (default `'session'`), loaded before the next middleware runs. */
  session: Session<T>;
  /** The session called `name` (default: the `name` option), loaded once per request: the same object on every call. */
  sessions(name?: string): Promise<Session<T>>;
}

/** The part of Koa's `ctx` the adapter uses. */
export interface KoaContextLike {
  /** Node's request. */
  readonly req: IncomingMessage;
  /** The request method, upper-case. */
  readonly method: string;
  /** The client address (honours `app.proxy`). */
  readonly ip?: string | undefined;
  /** True once Koa, or code bypassing it, has written the headers. */
  readonly headerSent?: boolean;
  /** Appends a response header (Koa's `ctx.append`). */
  append(field: string, value: string | string[]): void;
}

/** A Koa middleware, typed on the part of `ctx` the adapter uses. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

const OPTION_KEYS: OptionKeys<KoaSessionsOptions<SessionValues>> = { store: true, name: true, ip: true };

// koa-session (mounted beside cachet during a migration) defines `session` as an accessor on
// app.context, and its setter would take an assigned session over as its own: there the session
// is defined as an own property instead. Everywhere else a plain assignment, because
// Object.defineProperty on every request made a session read 4–5% slower (two interleaved A/Bs,
// docs/benchmarks.md). The prototype is Koa's app.context, looked at once: a `session` accessor
// added to it after the first request is not seen.
let plainContext: object | null = null;

/** True when `ctx.session = value` stores an own data property (no accessor in the way). */
function takesPlainSession(ctx: object): boolean {
  const proto = Object.getPrototypeOf(ctx) as object | null;
  if (proto === plainContext && !Object.prototype.hasOwnProperty.call(ctx, 'session')) return true;
  for (let o: object | null = ctx; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const found = Object.getOwnPropertyDescriptor(o, 'session');
    if (found !== undefined) return found.get === undefined && found.set === undefined && found.writable === true;
  }
  plainContext = proto;
  return true;
}

/**
 * Sessions for Koa: `ctx.session` is the loaded session; a changed one is sealed into
 * `Set-Cookie` after the downstream middleware resolved, before Koa responds.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { CookieStore, Keyring } from 'cachet';
 * import { sessions } from 'cachet/koa';
 *
 * const store = new CookieStore<{ visits?: number }>({ keyring: await Keyring.create([{ id: 'k1', secret }]) });
 * const app = new Koa();
 * app.use(sessions({ store }));
 * app.use((ctx) => {
 *   ctx.session.values.visits = (ctx.session.values.visits ?? 0) + 1; // sealed before Koa responds
 *   ctx.body = `visit ${ctx.session.values.visits}`;
 * });
 * ```
 */
export function sessions<T extends SessionValues>(options: KoaSessionsOptions<T>): KoaMiddleware {
  checkOptionKeys('sessions', options, OPTION_KEYS);
  const store = options.store;
  if (typeof store?.get !== 'function') throw new TypeError('sessions(): options.store must be a session store, e.g. sessions({ store })');
  const defaultName = options.name ?? 'session';
  if (typeof defaultName !== 'string') throw new TypeError('sessions(): options.name must be a string');
  const ipOf = options.ip ?? ((ctx: KoaContextLike) => ctx.ip);

  return async (ctx, next) => {
    const ip = ipOf(ctx);
    const scope = new SessionScope(ip === undefined ? { headers: ctx.req.headers } : { headers: ctx.req.headers, ip });
    const fields = ctx as KoaContextLike & Partial<SessionFields<T>>;
    fields.sessions = (name = defaultName) => store.get(scope, name);
    let session: Session<T>;
    try {
      session = await store.get(scope, defaultName);
    } catch (err) {
      throw asStoreUnavailable(err); // an outage: 503 with Retry-After, from Koa's ctx.onerror
    }
    if (takesPlainSession(fields)) fields.session = session;
    else Object.defineProperty(fields, 'session', { value: session, writable: true, enumerable: true, configurable: true });
    await next();
    if (scope.idle) return;
    let cookies: readonly string[];
    try {
      cookies = await scope.commit();
    } catch (err) {
      throw asStoreUnavailable(err);
    }
    if (cookies.length === 0) return;
    if (ctx.headerSent === true) {
      // Something wrote the response itself (ctx.respond = false): Koa would drop the cookie silently.
      throw new Error('cachet/koa: the response was sent before the session could commit; a changed session needs Koa to send the response');
    }
    ctx.append('set-cookie', [...cookies]);
  };
}

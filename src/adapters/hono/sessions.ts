/**
 * `cachet/hono`: the `sessions()` middleware. `app.use(sessions({ store }))` loads the session
 * before the handlers (`c.get('session')`), and after `await next()` commits it: a changed session
 * seals its cookie and the `Set-Cookie` is appended to `c.res`, copying the response first when
 * its headers are immutable (`Response.redirect()`, a `fetch()` result).
 *
 * Pure Web-platform code (no `node:` import), so it runs wherever Hono runs: Node through
 * `@hono/node-server`, Deno, Bun, Cloudflare Workers. It never imports Hono either: it sees the
 * context through the small structural interface below, and a real `Context` satisfies it.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import type { Store } from '../../session/core/types.js';
import { SessionScope, scopeHeaders, type SessionScopeInit } from '../../web/session-scope.js';
import { asStoreUnavailable } from '../../web/store-unavailable.js';

/** Options of {@link sessions}. */
export interface HonoSessionsOptions<T extends SessionValues, C extends HonoContextLike = HonoContextLike> {
  /** The store every session of this app comes from (`CookieStore`, `MemoryStore`, ...). */
  store: Store<T>;
  /** The session `c.get('session')` holds. Default `'session'`. */
  name?: string;
  /**
   * The client address, for the server-side stores' session lists. Hono has no runtime-neutral
   * way to read it: e.g. `(c) => getConnInfo(c).remote.address` with `getConnInfo` from
   * `@hono/node-server/conninfo` or `hono/bun`; it gets Hono's own `Context`. Default: none.
   */
  ip?: (c: C) => string | undefined;
}

/**
 * The context variables {@link sessions} sets. Give them to Hono's `Variables` so that
 * `c.get('session')` is typed: `new Hono<SessionEnv<Values>>()`, or merge them into your own.
 *
 * @example
 * ```ts
 * type Env = { Bindings: { DB: D1Database }; Variables: SessionVariables<{ user?: string }> };
 * const app = new Hono<Env>();
 * ```
 */
export type SessionVariables<T extends SessionValues> = {
  /** The session named by the `name` option (`'session'`), loaded before the handlers run. */
  session: Session<T>;
  /** Another session of the same store, by name; loaded once per request and committed with the rest. */
  sessions: (name: string) => Promise<Session<T>>;
};

/**
 * A Hono `Env` with nothing but the session variables: `new Hono<SessionEnv<Values>>()`.
 *
 * @example
 * ```ts
 * const app = new Hono<SessionEnv<{ visits?: number }>>();
 * app.use(sessions({ store }));
 * app.get('/', (c) => c.text(`visit ${c.get('session').values.visits ?? 0}`)); // typed
 * ```
 */
export type SessionEnv<T extends SessionValues> = { Variables: SessionVariables<T> };

/** The Hono request as the middleware sees it. */
export interface HonoRequestLike {
  readonly raw: Request;
  readonly method: string;
  readonly url: string;
  /** Hono parses the body once and caches it, so the handler can read it again. */
  parseBody(): Promise<Record<string, unknown>>;
}

/** The Hono `Context` as the middleware sees it. A real `Context` satisfies it. */
export interface HonoContextLike {
  readonly req: HonoRequestLike;
  res: Response;
  /** Set by Hono when a handler or middleware threw and `onError` answered. */
  readonly error: Error | undefined;
  /** The runtime's bindings; on `@hono/node-server`, `{ incoming, outgoing }`: Node's request and response. */
  readonly env?: unknown;
  set(key: string, value: unknown): void;
  get(key: string): unknown;
}

/**
 * Node's own header object when Hono runs on `@hono/node-server`, which hands the
 * `IncomingMessage` over as `c.env.incoming`. Reading `c.req.raw.headers` there builds a fetch
 * `Headers` from Node's raw headers on first use, which the hello never pays for: skipping it
 * made a session read 5–9% faster in three interleaved runs (docs/benchmarks.md). On every
 * other runtime (and for a Workers binding that happens to be called `incoming`) the checks fail
 * and the fetch headers are read.
 */
function nodeHeaders(env: unknown): SessionScopeInit['headers'] | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const incoming = (env as { incoming?: unknown }).incoming;
  if (typeof incoming !== 'object' || incoming === null) return undefined;
  const { headers, httpVersion } = incoming as { headers?: unknown; httpVersion?: unknown };
  if (typeof httpVersion !== 'string' || typeof headers !== 'object' || headers === null) return undefined;
  return headers as SessionScopeInit['headers'];
}

/** A Hono middleware, as `app.use()` takes it. */
export type HonoMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<void>;

const OPTION_KEYS: OptionKeys<HonoSessionsOptions<SessionValues>> = { store: true, name: true, ip: true };

/**
 * An error Hono's default error handler answers with its response, as it does `HTTPException`
 * (it calls `getResponse()`); an app's own `onError` sees `status` and the message.
 */
export function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), {
    status,
    getResponse: () => new Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } }),
  });
}

/** Appends the cookies to `c.res`, replacing it with a copy when its headers are immutable. */
function appendCookies(c: HonoContextLike, cookies: readonly string[]): void {
  const res = c.res;
  try {
    for (const cookie of cookies) res.headers.append('set-cookie', cookie);
  } catch {
    // Immutable headers throw on the first append, so nothing was added yet. Hono's `res` setter
    // copies the old response's headers onto the new one; the copy shares the body stream.
    c.res = new Response(res.body, res);
    for (const cookie of cookies) c.res.headers.append('set-cookie', cookie);
  }
}

/**
 * Sessions for Hono: `c.get('session')` in every handler after it, committed after `await next()`.
 * A request whose handler threw (Hono's `onError` answered) writes no session: the handler may
 * have stopped half-way through its changes.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { CookieStore, Keyring } from 'cachet/core'; // no node: module: runs on every runtime
 * import { sessions, type SessionEnv } from 'cachet/hono';
 *
 * type Values = { visits?: number };
 * const store = new CookieStore<Values>({ keyring: await Keyring.create([{ id: 'k1', secret }]) });
 * const app = new Hono<SessionEnv<Values>>();
 * app.use(sessions({ store }));
 * app.get('/', (c) => {
 *   const session = c.get('session');
 *   session.values.visits = (session.values.visits ?? 0) + 1; // sealed after the handler
 *   return c.text(`visit ${session.values.visits}`);
 * });
 * ```
 */
export function sessions<T extends SessionValues, C extends HonoContextLike = HonoContextLike>(options: HonoSessionsOptions<T, C>): HonoMiddleware {
  checkOptionKeys('sessions', options, OPTION_KEYS);
  const store = options.store;
  if (typeof store?.get !== 'function') throw new TypeError('cachet/hono: options.store must be a session store, e.g. sessions({ store })');
  const name = options.name ?? 'session';
  const ipOf = options.ip;

  return async (c, next) => {
    const ip = ipOf?.(c as C); // the context Hono handed over: the type the option was written for
    const headers = nodeHeaders(c.env) ?? scopeHeaders(c.req.raw.headers);
    const scope = new SessionScope(ip === undefined ? { headers } : { headers, ip });
    let session: Session<T>;
    try {
      session = await store.get(scope, name);
    } catch (err) {
      // A store that cannot be reached is a 503 with Retry-After, as on cachet's own server.
      throw asStoreUnavailable(err);
    }
    c.set('session', session);
    c.set('sessions', (other: string) => store.get(scope, other));
    await next();
    if (c.error !== undefined) return;
    // A session that was only read commits synchronously: no await, so no extra microtask turn.
    let cookies: readonly string[];
    try {
      const out = scope.commit();
      cookies = Array.isArray(out) ? (out as readonly string[]) : await out;
    } catch (err) {
      throw asStoreUnavailable(err);
    }
    if (cookies.length > 0) appendCookies(c, cookies);
  };
}

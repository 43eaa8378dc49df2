/**
 * `SessionScope`: one request's {@link SessionContext} for a server that is not cachet's own.
 *
 * cachet's http `Context` stages cookies and runs `onBeforeSend` hooks itself. Express, Fastify,
 * Koa, Hono and a bare fetch handler do not, so each adapter makes a scope per request from the
 * request's `Cookie` header, hands it to the stores, and at its commit point (before the headers
 * leave) calls {@link SessionScope.commit}: the hooks run (a changed session seals its cookie
 * there) and the staged `Set-Cookie` values come back for the adapter to append.
 *
 * Pure Web-platform code: no `node:` import, so the fetch adapter runs on Deno, Bun and workerd.
 * @module
 */
import { findCookie, parseCookies } from '../cookie/parse.js';
import { serializeCookie, serializeCookieDeletion } from '../cookie/serialize.js';
import type { BeforeSendHook, SessionContext, SessionCookieAttributes } from '../session/core/types.js';

/** What an adapter knows of the request when it makes a scope. */
export interface SessionScopeInit {
  /**
   * The request headers a store may read, lower-case names: at least `cookie` (the whole header,
   * or its lines), and `user-agent` for the server-side stores' session lists. A Node request's
   * `req.headers` is such an object as it is.
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The client address, for the server-side stores' session lists. */
  readonly ip?: string | undefined;
}

const NO_COOKIES: readonly string[] = Object.freeze([]);

/**
 * The two headers a store reads (`cookie`, and `user-agent` for the server-side stores' session
 * lists) from a fetch `Headers`, as {@link SessionScopeInit.headers}.
 *
 * @example
 * ```ts
 * const scope = new SessionScope({ headers: scopeHeaders(request.headers) });
 * ```
 */
export function scopeHeaders(headers: Headers): SessionScopeInit['headers'] {
  return { cookie: headers.get('cookie') ?? undefined, 'user-agent': headers.get('user-agent') ?? undefined };
}

/**
 * A request's session context, for adapters: stages `Set-Cookie` values and before-send hooks, and
 * releases them through {@link SessionScope.commit}.
 *
 * @example
 * ```ts
 * const scope = new SessionScope({ headers: { cookie: request.headers.get('cookie') ?? undefined } });
 * const session = await store.get(scope, 'session');
 * session.values.visits = (session.values.visits ?? 0) + 1;
 * const setCookies = await scope.commit(); // the sealed cookie, ready for `Set-Cookie`
 * ```
 */
export class SessionScope implements SessionContext {
  readonly headers: SessionScopeInit['headers'];
  readonly ip?: string;
  #cookies: Record<string, string> | null = null;
  #staged: Map<string, string> | null = null;
  #hooks: BeforeSendHook[] | null = null;
  #committed = false;

  constructor(init: SessionScopeInit) {
    this.headers = init.headers;
    if (init.ip !== undefined) this.ip = init.ip;
  }

  /** The request's cookies, parsed on first use. */
  get cookies(): Readonly<Record<string, string>> {
    return (this.#cookies ??= parseCookies(this.headers['cookie']));
  }

  /** One request cookie, found without building the whole map. */
  cookie(name: string): string | undefined {
    if (this.#cookies !== null) return this.#cookies[name];
    return findCookie(this.headers['cookie'], name);
  }

  setCookie(name: string, value: string, attributes: SessionCookieAttributes): void {
    this.#stage(name, serializeCookie(name, value, attributes));
  }

  setCookieHeader(name: string, header: string): void {
    this.#stage(name, header);
  }

  deleteCookie(name: string, attributes: SessionCookieAttributes): void {
    this.#stage(name, serializeCookieDeletion(name, attributes));
  }

  onBeforeSend(hook: BeforeSendHook): void {
    this.#open();
    (this.#hooks ??= []).push(hook);
  }

  /** True when nothing was staged and no hook waits: `commit()` would return no cookie. */
  get idle(): boolean {
    return this.#hooks === null && this.#staged === null;
  }

  /**
   * Runs the before-send hooks in registration order (a hook may add another, which runs too),
   * then closes the scope and returns the staged `Set-Cookie` values, one per cookie name. When
   * every hook finishes synchronously (no session changed) the result is returned synchronously,
   * so a read-only request pays for no promise. A hook that throws rejects or throws here, and the
   * scope stays closed: the adapter answers with its error page and sends none of the cookies.
   * Call it once, before the response headers are written.
   */
  commit(): readonly string[] | Promise<readonly string[]> {
    this.#open();
    const hooks = this.#hooks;
    if (hooks !== null) {
      for (let i = 0; i < hooks.length; i++) {
        let out: void | Promise<void>;
        try {
          out = (hooks[i] as BeforeSendHook)();
        } catch (err) {
          this.#committed = true;
          throw err;
        }
        // `!= null`: a plain-JavaScript hook may return null, which is as done as undefined.
        if (out != null && typeof out.then === 'function') return this.#finish(out, hooks, i + 1);
      }
    }
    return this.#close();
  }

  async #finish(pending: Promise<void>, hooks: BeforeSendHook[], from: number): Promise<readonly string[]> {
    try {
      await pending;
      for (let i = from; i < hooks.length; i++) await (hooks[i] as BeforeSendHook)();
    } catch (err) {
      this.#committed = true;
      throw err;
    }
    return this.#close();
  }

  #close(): readonly string[] {
    this.#committed = true;
    return this.#staged === null ? NO_COOKIES : [...this.#staged.values()];
  }

  #stage(name: string, header: string): void {
    this.#open();
    (this.#staged ??= new Map()).set(name, header);
  }

  #open(): void {
    if (this.#committed) throw new Error('cachet: the response headers were already sent; a session cannot change after its commit');
  }
}

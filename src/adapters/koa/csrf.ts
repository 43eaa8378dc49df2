/**
 * `csrf()` for Koa: the shared {@link CsrfGuard} on `ctx`.
 *
 * The token comes from the `x-csrf-token` header, or from `ctx.request.body._csrf` when a body
 * parser (koa-body, @koa/bodyparser) filled it first; this middleware never reads the body stream
 * itself. A refusal is thrown as an error with `status` 403 and `expose`, the Koa way: Koa answers
 * 403 with the message, and an error middleware can tell it apart by `err.code`.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import { CSRF_GUARD_OPTION_KEYS, CsrfGuard, type CsrfGuardOptions, type CsrfRequest } from '../../web/csrf-guard.js';
import type { KoaContextLike, SessionFields } from './sessions.js';

/** Options for {@link csrf}: the guard's, plus which session holds the token. */
export interface KoaCsrfOptions extends CsrfGuardOptions {
  /** The session that holds the token. Default: the one `ctx.session` holds. */
  session?: string;
}

/** The `code` of a refusal: the request came from another site, or its token was missing or wrong. */
export type CsrfErrorCode = 'ERR_CSRF_CROSS_SITE' | 'ERR_CSRF_BAD_TOKEN';

/** The error `csrf()` throws: Koa answers with its `status`, 403, and its message. */
export interface CsrfError extends Error {
  readonly code: CsrfErrorCode;
  readonly status: 403;
  readonly statusCode: 403;
  /** The message is safe to show the client (Koa sends it as the body). */
  readonly expose: true;
}

/** What `csrf()` uses of `ctx`, besides what `sessions()` added. */
export interface KoaCsrfContextLike extends KoaContextLike {
  /** Where templates find the token: `ctx.state.csrfToken`. */
  readonly state: Record<string, unknown>;
  /** Koa's request; `body` when a body parser filled it. */
  readonly request: { readonly body?: unknown };
}

/** A Koa middleware, typed on the part of `ctx` `csrf()` uses. */
export type KoaCsrfMiddleware = (ctx: KoaCsrfContextLike, next: () => Promise<unknown>) => Promise<void>;

const OPTION_KEYS: OptionKeys<KoaCsrfOptions> = { ...CSRF_GUARD_OPTION_KEYS, session: true };

function refusal(code: CsrfErrorCode): CsrfError {
  const message = code === 'ERR_CSRF_CROSS_SITE' ? 'Forbidden: cross-site request' : 'Forbidden: invalid CSRF token';
  return Object.assign(new Error(message), { code, status: 403, statusCode: 403, expose: true } as const);
}

function bodyField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = Object.prototype.hasOwnProperty.call(body, field) ? (body as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * CSRF protection for Koa, after {@link sessions}: a per-session token plus a Fetch-Metadata /
 * Origin check on every unsafe request. The masked token for templates is `ctx.state.csrfToken`
 * (created on first read); a refused request throws a 403 with `code` `'ERR_CSRF_CROSS_SITE'` or
 * `'ERR_CSRF_BAD_TOKEN'`.
 *
 * @example
 * ```ts
 * app.use(sessions({ store }));
 * app.use(bodyParser()); // before csrf(), so the form's _csrf is found in ctx.request.body
 * app.use(csrf());
 * router.get('/login', (ctx) => { ctx.body = `<form method="post">
 *   <input type="hidden" name="_csrf" value="${ctx.state.csrfToken}"> ...</form>`; });
 * // fetch('/api', { method: 'POST', headers: { 'x-csrf-token': token } })
 * ```
 */
export function csrf(options: KoaCsrfOptions = {}): KoaCsrfMiddleware {
  checkOptionKeys('csrf', options, OPTION_KEYS);
  const { session: name, ...guardOptions } = options;
  const guard = new CsrfGuard(guardOptions);

  return async (ctx, next) => {
    const load = (ctx as KoaCsrfContextLike & Partial<SessionFields>).sessions;
    if (typeof load !== 'function') throw new TypeError('csrf(): mount sessions({ store }) before csrf()');
    const session = await load(name);
    let shown: string | undefined;
    Object.defineProperty(ctx.state, 'csrfToken', { configurable: true, enumerable: true, get: () => (shown ??= guard.token(session)) });
    if (!CsrfGuard.safe(ctx.method)) {
      const headers = ctx.req.headers;
      const view: CsrfRequest = {
        method: ctx.method,
        header: (n) => {
          const value = headers[n];
          return Array.isArray(value) ? value[0] : value;
        },
        formField: (field) => bodyField(ctx.request.body, field),
      };
      const verdict = await guard.check(view, session);
      if (verdict === 'cross-site') throw refusal('ERR_CSRF_CROSS_SITE');
      if (verdict === 'bad-token') throw refusal('ERR_CSRF_BAD_TOKEN');
    }
    await next();
  };
}

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
import { csrfRefusal, nodeRequestHeader, parsedFormField } from '../../web/csrf-refusal.js';
import { csrfTokenProperty } from '../../web/csrf-token-property.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import { asStoreUnavailable } from '../../web/store-unavailable.js';
import type { KoaContextLike, SessionFields } from './sessions.js';

export type { CsrfError, CsrfErrorCode } from '../../web/csrf-refusal.js';

/** Options for {@link csrf}: the guard's, plus which session holds the token. */
export interface KoaCsrfOptions extends CsrfGuardOptions {
  /** The session that holds the token. Default: the one `ctx.session` holds. */
  session?: string;
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
  const defineToken = csrfTokenProperty(guard, 'csrfToken');

  return async (ctx, next) => {
    const load = (ctx as KoaCsrfContextLike & Partial<SessionFields>).sessions;
    if (typeof load !== 'function') throw new TypeError('csrf(): mount sessions({ store }) before csrf()');
    let session: Session<SessionValues>;
    try {
      session = await load(name);
    } catch (err) {
      // The `session` option's session is loaded here, not by sessions(): an outage while loading
      // it is the same 503 with Retry-After, not Koa's 500.
      throw asStoreUnavailable(err);
    }
    defineToken(ctx.state, session);
    if (!CsrfGuard.safe(ctx.method)) {
      const headers = ctx.req.headers;
      const view: CsrfRequest = {
        method: ctx.method,
        header: (n) => nodeRequestHeader(headers, n),
        formField: (field) => parsedFormField(ctx.request.body, field),
      };
      const verdict = await guard.check(view, session);
      if (verdict !== 'ok') throw csrfRefusal(verdict);
    }
    await next();
  };
}

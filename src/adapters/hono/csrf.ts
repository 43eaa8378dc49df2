/**
 * `cachet/hono`: `csrf()`, the CSRF check as Hono middleware, wrapping the shared `CsrfGuard`
 * (src/web/csrf-guard.ts), and `csrfToken(c)` for templates.
 *
 * Unlike Hono's own `hono/csrf` (an Origin / Sec-Fetch-Site check alone), this one also requires
 * the session's synchronizer token: from the `x-csrf-token` header, or from an urlencoded form read
 * with `c.req.parseBody()`, which Hono caches, so the handler can call it again.
 * Pure Web-platform code: no `node:` import.
 * @module
 */
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import { CSRF_GUARD_OPTION_KEYS, CsrfGuard, type CsrfGuardOptions, type CsrfRequest } from '../../web/csrf-guard.js';
import { httpError, type HonoContextLike, type HonoMiddleware } from './sessions.js';

// Masking needs no options: one guard serves every csrfToken(c).
const MASK = new CsrfGuard();

function sessionOf(c: Pick<HonoContextLike, 'get'>, caller: string): Session<SessionValues> {
  const session = c.get('session') as Session<SessionValues> | undefined;
  // Duck-typed, not instanceof: two copies of cachet in one app must still work together.
  if (typeof session?.csrfToken !== 'function') throw new Error(`cachet/hono: ${caller} needs the sessions() middleware before it (c.get('session') is not set)`);
  return session;
}

/**
 * The CSRF token for a form's hidden `_csrf` field (or the `x-csrf-token` header), masked afresh
 * on every call. Needs {@link sessions} before it; creates the token in the session on first use.
 *
 * @example
 * ```ts
 * app.get('/form', (c) => c.html(`<form method="post">
 *   <input type="hidden" name="_csrf" value="${csrfToken(c)}"> ...</form>`));
 * ```
 */
export function csrfToken(c: Pick<HonoContextLike, 'get'>): string {
  return MASK.token(sessionOf(c, 'csrfToken(c)'));
}

/**
 * CSRF protection as Hono middleware. Safe methods pass; an unsafe request must come from the
 * same origin (Fetch Metadata / Origin) and carry the session's token, else the middleware throws
 * a 403 that Hono's error handler answers (an app's `onError` sees `err.status === 403` and `err.code`
 * `'ERR_CSRF_CROSS_SITE'` or `'ERR_CSRF_BAD_TOKEN'`). Mount it
 * after {@link sessions}. Hono reads the whole body to parse a form: put `bodyLimit()` before it.
 *
 * @example
 * ```ts
 * import { csrf, csrfToken, sessions } from 'cachet/hono';
 *
 * app.use(sessions({ store }), csrf());
 * app.post('/transfer', async (c) => {
 *   const form = await c.req.parseBody(); // the form csrf() already parsed, from Hono's cache
 *   ...
 * });
 * ```
 */
export function csrf(options: CsrfGuardOptions = {}): HonoMiddleware {
  const guard = new CsrfGuard(options, CSRF_GUARD_OPTION_KEYS, 'csrf');
  return async (c, next) => {
    const method = c.req.method;
    if (CsrfGuard.safe(method)) return next();
    const session = sessionOf(c, 'csrf()');
    const headers = c.req.raw.headers;
    const view: CsrfRequest = {
      method,
      // The Origin check compares with the request's own host; a runtime may hand over no Host header.
      header: (name) => headers.get(name) ?? (name === 'host' ? new URL(c.req.url).host : undefined),
      formField: async (field) => {
        const value = (await c.req.parseBody())[field];
        return typeof value === 'string' ? value : undefined;
      },
    };
    const verdict = await guard.check(view, session);
    // The same codes and messages as the other adapters' csrf(): an onError can switch on `code`.
    if (verdict === 'cross-site') throw Object.assign(httpError(403, 'Forbidden: cross-site request'), { code: 'ERR_CSRF_CROSS_SITE' });
    if (verdict === 'bad-token') throw Object.assign(httpError(403, 'Forbidden: invalid CSRF token'), { code: 'ERR_CSRF_BAD_TOKEN' });
    return next();
  };
}

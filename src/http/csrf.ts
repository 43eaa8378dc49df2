/**
 * `csrf()`: cross-site request forgery protection for session-based apps, as middleware.
 *
 * Two independent checks on every unsafe request (anything but GET, HEAD, OPTIONS, TRACE):
 *  1. Where it comes from. `Sec-Fetch-Site` (Fetch Metadata, sent by all current browsers) must be
 *     `same-origin` (or `none`: typed by the user). Without it, `Origin`, when present, must match
 *     the request's own host or an allowed origin. A browser cannot forge either header.
 *  2. What it carries. The synchronizer token of the session (OWASP CSRF cheat sheet), from the
 *     `x-csrf-token` header or the `_csrf` form field, compared in constant time.
 * Any failure is a 403. The token lives in the session, so an anonymous visitor who is shown a form
 * gets a session just for it: that pre-session token covers login CSRF, and `regenerate()` at login
 * replaces it.
 *
 * The token shown to templates is masked afresh on every request (random pad ‖ pad XOR secret), so
 * a compressed page never repeats it byte for byte (BREACH). Both checks live in
 * `src/web/csrf-guard.ts`, which the framework adapters wrap too; this file maps a `Context` onto it.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import type { Store } from '../session/core/types.js';
import type { SessionValues } from '../session/core/session-record.js';
import { CsrfGuard, type CsrfGuardOptions, type CsrfRequest } from '../web/csrf-guard.js';
import { csrfTokenProperty } from '../web/csrf-token-property.js';
import type { Context } from './context.js';
import { HttpError } from './http-error.js';
import type { Middleware } from './types.js';

/** Options for {@link csrf}. */
export interface CsrfOptions extends CsrfGuardOptions {
  /** The session store that holds the token. */
  store: Store<SessionValues>;
  /** The session name. Default `'session'`. */
  session?: string;
  /** Where templates find the token: `ctx.state[stateKey]`. Default `'csrfToken'`. */
  stateKey?: string;
}

const OPTION_KEYS: OptionKeys<CsrfOptions> = {
  store: true, session: true, field: true, header: true, stateKey: true, allowedOrigins: true, allowSameSite: true,
};

function header(ctx: Context, name: string): string | undefined {
  const value = ctx.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The context as the guard sees it; the form it reads is handed on to the handler. */
function guardRequest(ctx: Context): CsrfRequest {
  return {
    method: ctx.method,
    header: (name) => header(ctx, name),
    formField: async (field) => {
      const form = await ctx.readForm();
      // The body can be read once; hand the parsed form to the handler.
      ctx.readForm = () => Promise.resolve(form);
      return form.get(field) ?? undefined;
    },
  };
}

/**
 * CSRF protection: a per-session synchronizer token plus a Fetch-Metadata / Origin check.
 * Exposes the token to templates as `ctx.state.csrfToken` (created on first read); rejects an
 * unsafe request that fails either check with 403.
 *
 * @example
 * ```ts
 * app.use(csrf({ store }));
 * app.get('/login', (ctx) => ctx.html(`<form method="post">
 *   <input type="hidden" name="_csrf" value="${ctx.state.csrfToken}"> ...</form>`));
 * app.post('/login', async (ctx) => {
 *   const form = await ctx.readForm(); // the form csrf() already read
 *   ...
 * });
 * // fetch('/api', { method: 'POST', headers: { 'x-csrf-token': token } })
 * ```
 */
export function csrf(options: CsrfOptions): Middleware {
  checkOptionKeys('csrf', options, OPTION_KEYS);
  const store = options.store;
  const name = options.session ?? 'session';
  const stateKey = options.stateKey ?? 'csrfToken';
  if (typeof store?.get !== 'function') throw new TypeError('csrf(): options.store must be a session store, e.g. csrf({ store })');
  const { store: _store, session: _session, stateKey: _stateKey, ...guardOptions } = options;
  const guard = new CsrfGuard(guardOptions);
  // Masked on first read only, through one getter shared by every request
  // (src/web/csrf-token-property.ts says why).
  const defineToken = csrfTokenProperty(guard, stateKey);

  return async (ctx, next) => {
    const session = await store.get(ctx, name);
    defineToken(ctx.state, session);
    if (CsrfGuard.safe(ctx.method)) return next();
    const verdict = await guard.check(guardRequest(ctx), session);
    if (verdict === 'cross-site') throw new HttpError(403, 'Forbidden: cross-site request');
    if (verdict === 'bad-token') throw new HttpError(403, 'Forbidden: invalid CSRF token');
    return next();
  };
}

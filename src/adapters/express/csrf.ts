/**
 * `csrf()` for Express and Connect: the shared {@link CsrfGuard} on Node's request.
 *
 * The token comes from the `x-csrf-token` header, or from `req.body._csrf` when a body parser
 * (`express.urlencoded()`) filled `req.body` first. This middleware never reads the body itself: the
 * stream belongs to the app's parser. A refusal is handed to `next(err)` with `status` 403, so
 * Express's error handling answers it (a plain 403 by default) and an app's own error handler can
 * tell it apart by `err.code`, as it did with csurf's `EBADCSRFTOKEN`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import { CSRF_GUARD_OPTION_KEYS, CsrfGuard, type CsrfGuardOptions, type CsrfRequest, type CsrfVerdict } from '../../web/csrf-guard.js';
import { csrfRefusal, nodeRequestHeader, parsedFormField } from '../../web/csrf-refusal.js';
import { csrfTokenProperty } from '../../web/csrf-token-property.js';
import { asStoreUnavailable } from '../../web/store-unavailable.js';
import type { ExpressMiddleware, SessionRequest } from './sessions.js';

export type { CsrfError, CsrfErrorCode } from '../../web/csrf-refusal.js';

/** Options for {@link csrf}: the guard's, plus which session holds the token. */
export interface ExpressCsrfOptions extends CsrfGuardOptions {
  /** The session that holds the token. Default: the one `req.session` holds. */
  session?: string;
}

const OPTION_KEYS: OptionKeys<ExpressCsrfOptions> = { ...CSRF_GUARD_OPTION_KEYS, session: true };

/**
 * CSRF protection for Express and Connect, after {@link sessions}: a per-session token plus a
 * Fetch-Metadata / Origin check on every unsafe request. The masked token for templates is
 * `res.locals.csrfToken` (created on first read); a refused request goes to `next(err)` with
 * status 403 and `code` `'ERR_CSRF_CROSS_SITE'` or `'ERR_CSRF_BAD_TOKEN'`.
 *
 * @example
 * ```ts
 * app.use(sessions({ store }));
 * app.use(express.urlencoded({ extended: false })); // before csrf(), so the form's _csrf is found
 * app.use(csrf());
 * app.get('/login', (req, res) => res.send(`<form method="post">
 *   <input type="hidden" name="_csrf" value="${res.locals.csrfToken}"> ...</form>`));
 * // fetch('/api', { method: 'POST', headers: { 'x-csrf-token': token } })
 * ```
 */
export function csrf(options: ExpressCsrfOptions = {}): ExpressMiddleware {
  checkOptionKeys('csrf', options, OPTION_KEYS);
  const { session: name, ...guardOptions } = options;
  const guard = new CsrfGuard(guardOptions);
  const defineToken = csrfTokenProperty(guard, 'csrfToken');

  return (req, res, next) => {
    // The `session` option's session is loaded here, not by sessions(): an outage while loading
    // it is the same 503 with Retry-After, not Express's 500.
    const failed = (err: unknown) => next(asStoreUnavailable(err));
    const fields = req as IncomingMessage & Partial<SessionRequest> & { body?: unknown };
    const load = fields.sessions;
    if (typeof load !== 'function') {
      next(new TypeError('csrf(): mount sessions({ store }) before csrf()'));
      return;
    }
    load(name).then((session: Session<SessionValues>) => {
      defineToken(((res as ServerResponse & { locals?: Record<string, unknown> }).locals ??= {}), session);
      const method = req.method ?? 'GET';
      if (CsrfGuard.safe(method)) return next();
      const view: CsrfRequest = { method, header: (n) => nodeRequestHeader(req.headers, n), formField: (field) => parsedFormField(fields.body, field) };
      const settle = (verdict: CsrfVerdict) => next(verdict === 'ok' ? undefined : csrfRefusal(verdict));
      const verdict = guard.check(view, session);
      if (typeof verdict === 'string') settle(verdict);
      else verdict.then(settle, next);
    }, failed);
  };
}

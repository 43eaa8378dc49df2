/**
 * `cachet/fastify`: `csrf()`, the CSRF check as a Fastify hook, wrapping the shared `CsrfGuard`
 * (src/web/csrf-guard.ts): Fetch Metadata / Origin first, then the session's token from the
 * `x-csrf-token` header or the parsed form's `_csrf` field.
 *
 * Fastify parses no urlencoded body by itself: without a content-type parser for
 * `application/x-www-form-urlencoded` (`@fastify/formbody`, or four lines of `addContentTypeParser`,
 * docs/adapters/fastify.md) such a post is a 415 before any hook runs, and the token must come in
 * the header. Hence a `preHandler` hook: it runs after the body is parsed.
 * @module
 */
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import { CSRF_GUARD_OPTION_KEYS, CsrfGuard, type CsrfGuardOptions, type CsrfRequest, type CsrfVerdict } from '../../web/csrf-guard.js';
import { csrfRefusal, nodeRequestHeader, parsedFormField } from '../../web/csrf-refusal.js';
import type { FastifyRequestLike } from './sessions.js';

/** The request as the hook sees it: the plugin's `session` and, once parsed, the `body`. */
export interface FastifyCsrfRequestLike extends FastifyRequestLike {
  readonly method: string;
  readonly body?: unknown;
  readonly session?: Session<SessionValues> | null;
}

/** A Fastify hook in callback form, for `addHook('preHandler', ...)` or a route's `preHandler`. */
export type FastifyCsrfHook = (request: FastifyCsrfRequestLike, reply: unknown, done: (err?: Error) => void) => void;

/**
 * CSRF protection as a Fastify `preHandler` hook. Safe methods pass; an unsafe request must come
 * from the same origin (Fetch Metadata / Origin) and carry the session's token, else the hook
 * fails it with a 403 (`code` `'ERR_CSRF_CROSS_SITE'` or `'ERR_CSRF_BAD_TOKEN'`) through Fastify's
 * error handler. Needs the {@link sessions} plugin; `request.csrfToken()` gives templates the token.
 *
 * @example
 * ```ts
 * import { csrf, sessions } from 'cachet/fastify';
 *
 * await app.register(sessions, { store });
 * app.addHook('preHandler', csrf()); // every route of this instance; or { preHandler: csrf() } on one route
 * app.get('/form', async (request, reply) =>
 *   reply.type('text/html').send(`<form method="post"><input type="hidden" name="_csrf" value="${request.csrfToken()}">…`));
 * ```
 */
export function csrf(options: CsrfGuardOptions = {}): FastifyCsrfHook {
  const guard = new CsrfGuard(options, CSRF_GUARD_OPTION_KEYS, 'csrf');
  return function csrfHook(request, _reply, done) {
    if (CsrfGuard.safe(request.method)) {
      done();
      return;
    }
    const session = request.session;
    if (session === undefined || session === null) {
      done(new Error('cachet/fastify: csrf() needs the sessions plugin registered before it (request.session is missing)'));
      return;
    }
    const view: CsrfRequest = {
      method: request.method,
      header: (name) => nodeRequestHeader(request.headers, name),
      formField: (field) => parsedFormField(request.body, field),
    };
    // The body is already parsed, so formField, and with it the check, answer synchronously.
    const verdict = guard.check(view, session) as CsrfVerdict;
    done(verdict === 'ok' ? undefined : csrfRefusal(verdict));
  };
}

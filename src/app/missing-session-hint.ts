/**
 * Why a form post failed when the browser sent no session cookie at all. Over plain HTTP on any
 * name but localhost, a browser drops a `Secure` cookie (and refuses a `__Host-` one) without a
 * word, so the login form's CSRF token has no session to match and the user saw only "403
 * invalid CSRF token", which sends them looking for a CSRF bug. When the request carried no
 * session cookie, the 403 page and the log line say so, and name the two ways out: serve over
 * TLS, or start with --insecure-cookies for plain-HTTP development.
 * @module
 */
import type { Context } from '../http/context.js';
import { HttpError } from '../http/http-error.js';
import type { Middleware, Next } from '../http/types.js';
import { CsrfGuard } from '../web/csrf-guard.js';

/** The 403 text when a form post carried no session cookie. */
export const NO_SESSION_COOKIE =
  'Forbidden: invalid CSRF token. The request carried no session cookie: browsers drop a Secure cookie over plain HTTP on any name but localhost. Serve the app over HTTPS (TLS), or start it with --insecure-cookies for plain-HTTP development.';

function carriesSession(ctx: Context, cookieNames: readonly string[]): boolean {
  // A long session is split into NAME.0, NAME.1, … (src/cookie/chunk.ts): any of them counts.
  return Object.keys(ctx.cookies).some((name) => cookieNames.some((cookieName) => name === cookieName || name.startsWith(`${cookieName}.`)));
}

/**
 * Wraps the `csrf()` middleware so that its 403 says when the request carried no session cookie
 * (none of `cookieNames`: with Redis, a signed-in session's and a visitor's come in different
 * cookies). Only a refusal by `csrf()` itself is rewritten, never an error from the handlers after it.
 *
 * @example
 * ```ts
 * const forms = explainMissingSession(csrf({ store }), ['__Host-session'], console.log);
 * ```
 */
export function explainMissingSession(inner: Middleware, cookieNames: readonly string[], log: (line: string) => void): Middleware {
  return (ctx, next) => {
    // csrf() refuses only unsafe methods, so a GET has nothing to explain: it skips the wrapper's
    // async frame and closure, which cost the logged-in home page about 4% of its requests per
    // CPU-second (two interleaved A/Bs of 5 and 6 rounds, docs/benchmarks.md).
    if (CsrfGuard.safe(ctx.method)) return inner(ctx, next);
    return explained(inner, ctx, next, cookieNames, log);
  };
}

/** The wrapper for an unsafe method: csrf()'s 403 rewritten when no session cookie came. */
async function explained(inner: Middleware, ctx: Context, next: Next, cookieNames: readonly string[], log: (line: string) => void): Promise<void> {
  let passed = false;
  try {
    return await inner(ctx, () => {
      passed = true;
      return next();
    });
  } catch (err) {
    if (passed || !(err instanceof HttpError) || err.status !== 403 || !err.publicMessage.includes('CSRF token') || carriesSession(ctx, cookieNames)) throw err;
    log(`csrf: ${ctx.method} ${ctx.path} refused: no ${cookieNames.join(' or ')} cookie in the request (a Secure cookie over plain HTTP? use TLS or --insecure-cookies)`);
    throw new HttpError(403, NO_SESSION_COOKIE, { cause: err });
  }
}

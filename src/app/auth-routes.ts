/**
 * Login, logout and "log out everywhere".
 *
 * - One generic message for a wrong password and an unknown user, and the same PBKDF2 work for
 *   both (an unknown user is checked against a dummy hash), so neither the page nor its timing
 *   tells an attacker which user names exist (OWASP Authentication Cheat Sheet).
 * - Failed attempts are counted per user name and per client IP; over the limit the answer is
 *   429 with `Retry-After`, before any password work is done.
 * - A successful login regenerates the session (new id, fresh creation time, new CSRF token):
 *   an id planted before login is useless after it (session fixation, ASVS 5.0 7.2.4).
 * - Logout revokes the session id until it would have expired anyway, so a copy of the cookie
 *   replayed later finds nothing; "log out everywhere" refuses every older session of the user.
 * @module
 */
import type { App } from '../http/app.js';
import type { Context } from '../http/context.js';
import type { Middleware } from '../http/types.js';
import type { CookieStore } from '../session/cookie-store.js';
import type { AppSessionValues } from './create-app.js';
import { renderLogin } from './pages.js';
import { addUser } from './user-file.js';
import { needsRehash, verifyPassword, type PasswordHashOptions } from './passwords.js';
import type { RateLimiter } from './rate-limit.js';
import type { RevocationList } from './revocations.js';
import { findUser, USER_NAME_PATTERN } from './user-file.js';

/** What the login routes need. */
export interface AuthDeps {
  dataDir: string;
  store: CookieStore<AppSessionValues>;
  revocations: RevocationList;
  perUser: RateLimiter;
  perIp: RateLimiter;
  /** Verified against when the user does not exist, so both cases cost the same. */
  dummyHash: string;
  passwordHashOptions: PasswordHashOptions;
  absoluteTimeout: number;
  explain: boolean;
  log: (line: string) => void;
}

/** The one message for every failed login. */
export const LOGIN_FAILED = 'Wrong user name or password.';

const SESSION = 'session';

function token(ctx: Context): string {
  return String(ctx.state['csrfToken'] ?? '');
}

/**
 * Registers `GET /login`, `POST /login`, `POST /logout` and `POST /logout-everywhere`.
 *
 * @example
 * ```ts
 * loginRoutes(app, csrf({ store }), deps);
 * ```
 */
export function loginRoutes(app: App, forms: Middleware, deps: AuthDeps): void {
  const { store } = deps;

  app.get('/login', forms, async (ctx: Context) => {
    const session = await store.get(ctx, SESSION);
    if (session.subject !== undefined) return ctx.redirect('/');
    ctx.html(renderLogin({ csrfToken: token(ctx), flashes: session.flashes().map(String), explain: deps.explain }));
  });

  app.post('/login', forms, async (ctx: Context) => {
    const form = await ctx.readForm();
    const username = (form.get('username') ?? '').slice(0, 128);
    const password = (form.get('password') ?? '').slice(0, 1024);
    const ip = ctx.ip;
    const wait = Math.max(deps.perIp.retryAfter(ip), deps.perUser.retryAfter(username));
    if (wait > 0) {
      deps.log(`login throttled (retry after ${wait}s)`);
      ctx.setHeader('retry-after', String(wait));
      const error = `Too many failed attempts. Try again in ${wait} seconds.`;
      return ctx.html(renderLogin({ csrfToken: token(ctx), error, username, explain: deps.explain }), 429);
    }
    const user = USER_NAME_PATTERN.test(username) ? findUser(deps.dataDir, username) : undefined;
    // Always one PBKDF2 run, against the dummy hash when the user does not exist.
    const matched = await verifyPassword(password, user?.passwordHash ?? deps.dummyHash);
    if (!matched || user === undefined) {
      deps.perIp.fail(ip);
      deps.perUser.fail(username);
      deps.log('login failed');
      return ctx.html(renderLogin({ csrfToken: token(ctx), error: LOGIN_FAILED, username, explain: deps.explain }), 401);
    }
    deps.perUser.reset(username);
    if (needsRehash(user.passwordHash, deps.passwordHashOptions.iterations)) {
      // The stored work factor is below today's: upgrade it while the password is at hand.
      await addUser(deps.dataDir, user.name, password, deps.passwordHashOptions);
    }
    const session = await store.get(ctx, SESSION);
    session.regenerate();
    session.subject = user.name;
    session.values = { user: user.name, visits: 0 };
    session.addFlash(`Signed in as ${user.name}.`);
    ctx.redirect('/');
  });

  const logout = (everywhere: boolean) => async (ctx: Context) => {
    const session = await store.get(ctx, SESSION);
    const user = session.subject;
    if (user !== undefined) {
      if (everywhere) deps.revocations.revokeSubject(user);
      // Until the absolute timeout the cookie would still open: refuse its id until then.
      deps.revocations.revokeSession(session.id, session.createdAt + deps.absoluteTimeout * 1000);
    }
    await session.destroy();
    // A fresh anonymous session carries the goodbye flash and the login form's CSRF token.
    session.regenerate();
    if (user !== undefined) session.addFlash(everywhere ? 'You have been logged out on every device.' : 'You have been logged out.');
    ctx.redirect('/login');
  };
  app.post('/logout', forms, logout(false));
  app.post('/logout-everywhere', forms, logout(true));
}

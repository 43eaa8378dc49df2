/**
 * Login, logout and "log out everywhere".
 *
 * - One generic message for a wrong password and an unknown user, and the same PBKDF2 work for
 *   both (an unknown user is checked against a dummy hash), so neither the page nor its timing
 *   tells an attacker which user names exist (OWASP Authentication Cheat Sheet).
 * - Failed attempts are counted per user name and per client IP; over the limit the answer is
 *   429 with `Retry-After`, before any password work is done. Each attempt is counted as a
 *   failure *before* its hash starts (check and count are one step of the {@link LoginLimiter}:
 *   synchronous in memory, one Lua script in Redis) and refunded on success: counting after the
 *   hash let every request inside its 300 ms window through.
 * - A limiter that cannot answer (Redis away) fails closed: 503 with `Retry-After`, no hash. A
 *   guess beyond the limit is never let through because the counter was out of reach.
 * - Hashing goes through a {@link HashGate}: a few hashes in flight per user, per IP and
 *   overall, below the crypto thread pool's size, with a bounded queue; past the queue the
 *   answer is 503 with `Retry-After`, before any work. A login burst cannot take the pool from
 *   the session crypto of everyone else (docs/security.md, "Concurrency").
 * - A successful login regenerates the session (new id, fresh creation time, new CSRF token):
 *   an id planted before login is useless after it (session fixation, ASVS 5.0 7.2.4).
 * - Logout revokes the session id until it would have expired anyway, so a copy of the cookie
 *   replayed later finds nothing; "log out everywhere" refuses every older session of the user.
 *   The revocation holds in this process at once and the cookie is deleted whatever the backend
 *   says: a shared backend that is away queues the write and retries it (src/app/redis/).
 * @module
 */
import type { App } from '../http/app.js';
import type { Context } from '../http/context.js';
import type { Middleware } from '../http/types.js';
import { serverSessions, setFlash, signedInSession, signedOutSession, type AppStore } from './app-store.js';
import { clientKey } from './client-key.js';
import { renderLogin } from './pages.js';
import type { HashGate } from './hash-gate.js';
import { MAX_PASSWORD_LENGTH, needsRehash, type PasswordHashOptions } from './passwords.js';
import type { LoginLimiter, LoginVerdict } from './login-limiter.js';
import type { Revocations } from './revocations.js';
import { findUser, rehashUser, USER_NAME_PATTERN, type StoredUser } from './user-file.js';

/** What the login routes need. */
export interface AuthDeps {
  dataDir: string;
  store: AppStore;
  revocations: Revocations;
  /** The failed-login limits, per user name and per client IP. */
  limiter: LoginLimiter;
  /** Admission control for password hashing. */
  hashGate: HashGate;
  /** Checks a password against a stored hash (`verifyPassword`; tests inject one they control). */
  verifyPassword: (password: string, stored: string) => Promise<boolean>;
  /** Verified against when the user does not exist, so both cases cost the same. */
  dummyHash: string;
  passwordHashOptions: PasswordHashOptions;
  absoluteTimeout: number;
  explain: boolean;
  log: (line: string) => void;
}

/** Seconds a client is asked to wait when the hashing queue is full (503). */
export const HASH_BUSY_RETRY_AFTER = 1;

/** Seconds a client is asked to wait when the login limiter cannot answer (Redis away; 503). */
export const LIMITER_DOWN_RETRY_AFTER = 5;

const BUSY = 'The server is busy. Please try again in a moment.';

/** The one message for every failed login. */
export const LOGIN_FAILED = 'Wrong user name or password.';

const SESSION = 'session';

/** A backend error's message, never more (no stack, no URL: a Redis URL may carry a password). */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a limiter's refund or reset and swallows its failure (thrown or rejected): the attempt
 * already had its answer, and a count that could not be taken back only ends with its window
 * (the safe side).
 */
async function settle(give: () => void | Promise<void>, what: string, log: (line: string) => void): Promise<void> {
  try {
    await give();
  } catch (err) {
    log(`login limiter ${what} failed (${reason(err)}); the count ends with its window`);
  }
}

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
    const password = form.get('password') ?? '';
    // One IPv6 host holds a whole /64: its failures count as one client's (client-key.ts).
    const ip = clientKey(ctx.ip);
    const failed = () => ctx.html(renderLogin({ csrfToken: token(ctx), error: LOGIN_FAILED, username, explain: deps.explain }), 401);
    // The user was removed or given a new password while this login hashed the old one.
    const changedMeanwhile = () => {
      deps.log('login failed: the user was removed or given a new password while the login ran');
      return failed();
    };
    const busy = (seconds: number) => {
      ctx.setHeader('retry-after', String(seconds));
      return ctx.html(renderLogin({ csrfToken: token(ctx), error: BUSY, username, explain: deps.explain }), 503);
    };
    // Check and count are one step of the limiter, so no number of parallel requests (on any
    // instance, for the Redis limiter) can all pass the check before any is counted. The memory
    // limiter answers synchronously: then nothing awaits from here to `gate.enter`.
    let verdict: LoginVerdict;
    try {
      const taken = deps.limiter.take(username, ip);
      verdict = 'then' in taken ? await taken : taken;
    } catch (err) {
      // Fail closed: an attempt that cannot be counted is not made (and costs no hash).
      deps.log(`login refused: the login limiter is unavailable (${reason(err)})`);
      return busy(LIMITER_DOWN_RETRY_AFTER);
    }
    if (!verdict.ok) {
      const wait = verdict.retryAfter;
      deps.log(`login throttled (retry after ${wait}s)`);
      ctx.setHeader('retry-after', String(wait));
      const error = `Too many failed attempts. Try again in ${wait} seconds.`;
      return ctx.html(renderLogin({ csrfToken: token(ctx), error, username, explain: deps.explain }), 429);
    }
    // Counted as a failure now, before the hash; a success takes it back.
    if (password.length > MAX_PASSWORD_LENGTH) {
      // No stored password is this long (`users add` refuses one), so it cannot match; cutting it
      // instead would let a long string log in on its first 1024 characters.
      deps.log('login failed');
      return failed();
    }
    const ticket = deps.hashGate.enter(username, ip);
    if (ticket === undefined) {
      // Refused before any work, so it is not held against the user or the IP.
      await settle(() => deps.limiter.refund(username, ip), 'refund', deps.log);
      deps.log('login refused: password hashing queue full');
      return busy(HASH_BUSY_RETRY_AFTER);
    }
    let user: StoredUser | undefined;
    // The stored hash the password was checked against: users.json may change while it hashes.
    let verified: string;
    try {
      await ticket.ready;
      user = USER_NAME_PATTERN.test(username) ? findUser(deps.dataDir, username) : undefined;
      // Always one PBKDF2 run, against the dummy hash when the user does not exist.
      const matched = await deps.verifyPassword(password, user?.passwordHash ?? deps.dummyHash);
      if (!matched || user === undefined) {
        deps.log('login failed');
        return failed();
      }
      verified = user.passwordHash;
      if (needsRehash(user.passwordHash, deps.passwordHashOptions.iterations)) {
        // The stored work factor is below today's: upgrade it while the password is at hand
        // (still inside the gate: it is one more PBKDF2 run), unless the user changed meanwhile.
        const upgraded = await rehashUser(deps.dataDir, user.name, password, verified, deps.passwordHashOptions);
        if (upgraded === undefined) return changedMeanwhile();
        verified = upgraded;
      }
    } finally {
      ticket.release();
    }
    // Outside the gate: a round trip to Redis need not hold a hashing slot.
    await settle(() => deps.limiter.reset(username, ip), 'reset', deps.log);
    const current = await store.get(ctx, SESSION);
    if (current.subject !== undefined && serverSessions(store) === undefined) {
      // A browser that signs in again (a form left open, another user on the same machine): the
      // session it held was signed in too, and a copy of that cookie must not stay signed in
      // beside the new one. Refused like a logged-out one; with Redis, signIn deletes the record.
      await deps.revocations.revokeSession(current.id, current.createdAt + deps.absoluteTimeout * 1000);
    }
    const session = await signedInSession(store, ctx, SESSION);
    // `users remove` or a new password (`users add`) may have landed while the hash ran: the
    // session must not outlive it. Read the user again now that the session's creation time is
    // fixed. A change written before this read is seen here; one written after it is followed by
    // its "not valid before" record (the CLI writes users.json first), later than the session's
    // creation, so the revocation check refuses the session from its next request.
    if (findUser(deps.dataDir, user.name)?.passwordHash !== verified) {
      await signedOutSession(store, ctx, session);
      return changedMeanwhile();
    }
    session.subject = user.name;
    session.values = { user: user.name, visits: 0 };
    setFlash(session, `Signed in as ${user.name}.`);
    ctx.redirect('/');
  });

  const logout = (everywhere: boolean) => async (ctx: Context) => {
    const session = await store.get(ctx, SESSION);
    const user = session.subject;
    const server = serverSessions(store);
    if (user !== undefined && server !== undefined) {
      // Server-side: the record is the session. signedOutSession() below deletes this one, revokeAll every
      // one of the user, and a replayed cookie then finds nothing: no revocation list needed.
      if (everywhere) await server.revokeAll(user);
    } else if (user !== undefined) {
      // Each holds in this process at once; a shared backend's promise settles once the record is
      // written or queued for retry, never with an error, so the cookie below is deleted either way.
      if (everywhere) await deps.revocations.revokeSubject(user);
      // Until the absolute timeout the cookie would still open: refuse its id until then.
      await deps.revocations.revokeSession(session.id, session.createdAt + deps.absoluteTimeout * 1000);
    }
    // A fresh anonymous session carries the goodbye flash and the login form's CSRF token.
    const next = await signedOutSession(store, ctx, session);
    if (user !== undefined) setFlash(next, everywhere ? 'You have been logged out on every device.' : 'You have been logged out.');
    ctx.redirect('/login');
  };
  app.post('/logout', forms, logout(false));
  app.post('/logout-everywhere', forms, logout(true));
}

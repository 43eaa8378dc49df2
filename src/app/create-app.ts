/**
 * The reference app, assembled from cachet's parts: `createApp` for HTTP, `CookieStore` for
 * sealed-cookie sessions (or `RedisStore`: app-store.ts), `csrf()` for forms, and the revocations
 * (a file log, or Redis with `redis`: see shared-state.ts) behind the store's revocation hook so
 * that logout and "log out everywhere" hold against a replayed cookie.
 * @module
 */
import { commandLine, type CommandStyle } from './commands.js';
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import { createApp, type App } from '../http/app.js';
import { csrf } from '../http/csrf.js';
import { noStore, securityHeaders } from '../http/security-headers.js';
import type { Context } from '../http/context.js';
import type { Middleware } from '../http/types.js';
import { Keyring } from '../keys/keyring.js';
import type { RedisClientLike } from '../session/server-store/redis/redis-records.js';
import type { SessionValues } from '../session/core/session-record.js';
import type { Store } from '../session/core/types.js';
import { createAppStore, serverSessions, sessionCookieNames, type AppStore, type SessionStoreKind } from './app-store.js';
import { loginRoutes, type AuthDeps } from './auth-routes.js';
import { COUNTDOWN_SCRIPT } from './explain-page.js';
import { createExplainer } from './explain.js';
import { createLab } from './lab.js';
import { hashSource, STYLE, STYLESHEET_PATH } from './html.js';
import { keyStatuses, primaryFirst, type KeyState, type StoredKey } from './key-states.js';
import { HashGate, hashSlotsFor, poolSize } from './hash-gate.js';
import { createDummyHash, verifyPassword, type PasswordHashOptions } from './passwords.js';
import type { LoginLimiter } from './login-limiter.js';
import type { AppRedis } from './redis/client.js';
import type { Revocations } from './revocations.js';
import { openSharedState, type RedisStateOptions } from './shared-state.js';
import { explainMissingSession } from './missing-session-hint.js';
import { renderHome } from './pages.js';
import { sessionRoutes } from './session-routes.js';

/** Failed-login limits. */
export interface LoginLimits {
  /** Failures per user name per window. Default 5. */
  perUser?: number;
  /** Failures per client IP per window. Default 20. */
  perIp?: number;
  /** Window in seconds. Default 900 (15 minutes). */
  windowSeconds?: number;
  /**
   * Password hashes running at once in this process. Default: half of libuv's thread pool
   * (`UV_THREADPOOL_SIZE`, default 4, so 2), so that session crypto, which runs on the same
   * threads, always has some free.
   */
  hashesInFlight?: number;
  /** Hashes running at once for one user name. Default 1. */
  hashesPerUser?: number;
  /** Hashes running at once for one client IP. Default 1. */
  hashesPerIp?: number;
  /** Login attempts that may wait for a hashing slot; past this the answer is 503. Default 64. */
  hashQueue?: number;
}

/** Options for {@link createCachetApp}. */
export interface CachetAppOptions {
  /** The data directory (users.json and revocations.jsonl are read from it). */
  dataDir: string;
  /** The cookie keys: the one marked `primary` (else the first not `pending`) seals; every key opens. */
  keys: readonly StoredKey[];
  /** Serve `GET /explain` and the cookie lab, `/explain/lab`. Default true. */
  explain?: boolean;
  /** Drop `Secure` and the `__Host-` prefix (plain HTTP off localhost). Default false. */
  insecureCookies?: boolean;
  /** Session idle timeout, seconds. Default 1800. */
  idleTimeout?: number;
  /** Session absolute timeout, seconds. Default 86400. */
  absoluteTimeout?: number;
  /** Proxies in front that append to X-Forwarded-For. Default 0. */
  trustProxy?: number;
  /** Entries of the session store's verified-value cache; 0 turns it off. Default 5000. */
  sessionCache?: number;
  /** Failed-login limits. */
  loginLimits?: LoginLimits;
  /** The clock for sessions, limits and revocations, ms. Default `Date.now`. */
  now?: () => number;
  /** Where log lines go. Default: stdout. */
  log?: (line: string) => void;
  /** Which commands exist where the app runs, for the hints its pages give. Default `'npm-run'`. */
  commands?: CommandStyle;
  /**
   * Password hashing for the dummy hash and rehashing. Test suites pass a weak iteration count
   * here (with `unsafeAllowWeakIterationsForTests`); the default is the full work factor.
   */
  passwordHashOptions?: PasswordHashOptions;
  /**
   * Checks a login's password against a stored hash. Default {@link verifyPassword}. Tests pass
   * one whose completion they control, to decide how parallel logins interleave.
   */
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
  /**
   * Where sessions live. `'cookie'` (default): all in the sealed cookie. `'redis'`: a signed-in
   * user's in Redis (`RedisStore`), the cookie holding only a signed id; the home page then lists
   * the user's active sessions, each of which can be ended. An anonymous visitor's session stays
   * in a sealed cookie of its own (`__Host-visitor`), so it costs Redis nothing (but a browser still
   * holding the id cookie of a session that ended, which is not deleted, costs one `GET` per
   * request until it is replaced or expires). Needs `redisClient`.
   */
  sessionStore?: SessionStoreKind;
  /** A connected Redis client (node-redis v4+ fits), for `sessionStore: 'redis'`. */
  redisClient?: RedisClientLike;
  /**
   * Redis connections (from `connectRedis` in src/app/redis/connect.ts): the revocations and the
   * failed-login counters then live in Redis, shared by every instance, and `/healthz` reports
   * `"redis": "up" | "down"`. Default: none (a revocation log in `dataDir`, counters in memory).
   * The app does not close them: the caller does, after {@link CachetApp.close}.
   */
  redis?: AppRedis;
  /** Tuning of the state in Redis (prefix, resync interval, timers); only with `redis`. */
  redisOptions?: RedisStateOptions;
  /**
   * The failed-login limiter, replacing the one built from `loginLimits` (in memory, or in Redis
   * with `redis`): for a limiter of your own, or a test that decides when it answers or fails.
   */
  loginLimiter?: LoginLimiter;
}

const OPTION_KEYS: OptionKeys<CachetAppOptions> = {
  dataDir: true, keys: true, explain: true, insecureCookies: true, idleTimeout: true, absoluteTimeout: true, trustProxy: true,
  loginLimits: true, now: true, log: true, passwordHashOptions: true, verifyPassword: true, sessionCache: true, commands: true,
  sessionStore: true, redisClient: true, redis: true, redisOptions: true, loginLimiter: true,
};
const LIMIT_KEYS: OptionKeys<LoginLimits> = {
  perUser: true, perIp: true, windowSeconds: true, hashesInFlight: true, hashesPerUser: true, hashesPerIp: true, hashQueue: true,
};

/** The assembled app. */
export interface CachetApp {
  readonly app: App;
  /** The session store: a `CookieStore`, or with `sessionStore: 'redis'` a `TieredStore` (visitors in a cookie, users in `RedisStore`). */
  readonly store: AppStore;
  /** Admission control for password hashing (its `inFlight` and `queued` counts, for tests and metrics). */
  readonly hashGate: HashGate;
  /** The revocation records the session store checks. */
  readonly revocations: Revocations;
  /**
   * Stops the revocations' watcher and timers; with Redis, tries once more to write revocations
   * still queued. Call it after `app.close()` (the servers), before closing the Redis connections.
   */
  close(): Promise<void>;
  /** Replaces the keys (SIGHUP): new cookies use the new primary; old ones still open and are re-issued; `/healthz` shows the new states. */
  setKeys(keys: readonly StoredKey[]): Promise<void>;
}

/** The session name; the cookie is `__Host-session` (or `session` with insecure cookies). */
export const SESSION_NAME = 'session';

// The keyring seals with its first key, so the primary goes first whatever the order given.
async function keyringOf(keys: readonly StoredKey[]): Promise<Keyring> {
  return Keyring.create(primaryFirst(keys, 'keys').map(({ id, secret }) => ({ id, secret })));
}

/** What `/healthz` reports about the keys: ids and states, so an operator can compare instances. */
type KeyHealth = { id: string; state: KeyState }[];
const keyHealth = (keys: readonly StoredKey[]): KeyHealth => keyStatuses(keys).map(({ id, state }) => ({ id, state }));

/**
 * Builds the reference app.
 *
 * @example
 * ```ts
 * const { app } = await createCachetApp({ dataDir: '.data', keys: loadKeys('.data', process.env).keys });
 * await app.listen({ port: 8080, signals: true });
 * ```
 */
export async function createCachetApp(options: CachetAppOptions): Promise<CachetApp> {
  checkOptionKeys('createCachetApp', options, OPTION_KEYS);
  checkOptionKeys('createCachetApp loginLimits', options.loginLimits, LIMIT_KEYS);
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const explainOn = options.explain ?? true;
  const idleTimeout = options.idleTimeout ?? 1800;
  const absoluteTimeout = options.absoluteTimeout ?? 86_400;
  const limits = options.loginLimits ?? {};
  const windowSeconds = limits.windowSeconds ?? 900;
  const state = await openSharedState({
    dataDir: options.dataDir,
    absoluteTimeout,
    perUser: limits.perUser ?? 5,
    perIp: limits.perIp ?? 20,
    windowSeconds,
    now,
    log,
    redis: options.redis,
    redisOptions: options.redisOptions,
  });
  const { revocations } = state;
  const keyring = await keyringOf(options.keys);
  let keysNow = keyHealth(options.keys);
  const store = createAppStore({
    kind: options.sessionStore ?? 'cookie',
    keyring,
    redisClient: options.redisClient,
    cacheEntries: options.sessionCache ?? 5000,
    // One prefix for everything this app keeps in Redis: two apps sharing a Redis under two
    // prefixes must not share a user's session index (`<prefix>subject:<user>`) either.
    redisPrefix: options.redisOptions?.prefix,
    common: {
      cookie: options.insecureCookies === true ? { prefix: '', secure: false } : {},
      idleTimeout,
      absoluteTimeout,
      now,
      // The reason code only: never the cookie value (logs are read by more people than keys are).
      onDecodeError: (code) => log(`session cookie rejected: ${code}`),
      // With Redis, logout deletes the record and needs no list; the hook stays for `users remove`.
      isRevoked: (info) => revocations.isRevoked(info),
    },
  });
  const server = serverSessions(store);
  const explainer = createExplainer({
    keyring, store, now, absoluteTimeout, inspectCommand: commandLine(options.commands ?? 'npm-run', 'inspect', 'VALUE'), idCookie: server !== undefined,
    ...(server === undefined ? {} : { visitorCookie: sessionCookieNames(store, SESSION_NAME)[1] }),
  });
  const lab = await createLab({ keyring, store, now, absoluteTimeout });
  const deps: AuthDeps = {
    dataDir: options.dataDir,
    store,
    revocations,
    limiter: options.loginLimiter ?? state.limiter,
    hashGate: new HashGate({
      maxInFlight: limits.hashesInFlight ?? hashSlotsFor(poolSize(process.env)),
      maxPerUser: limits.hashesPerUser ?? 1,
      maxPerIp: limits.hashesPerIp ?? 1,
      maxQueue: limits.hashQueue ?? 64,
    }),
    verifyPassword: options.verifyPassword ?? verifyPassword,
    dummyHash: createDummyHash(options.passwordHashOptions),
    passwordHashOptions: options.passwordHashOptions ?? {},
    absoluteTimeout,
    explain: explainOn,
    log,
  };

  const app = createApp({
    trustProxy: options.trustProxy ?? 0,
    logger: {
      access: (entry) => log(`${entry.method} ${entry.path} ${entry.status} ${entry.durationMs.toFixed(1)}ms ${entry.requestId}`),
      error: (err, id) => log(`request ${id} failed: ${err instanceof Error ? err.message : String(err)}`),
    },
  });
  // One policy for every page: nothing from anywhere but this origin's stylesheet and the inline
  // countdown script, allowed by its hash, so no page needs 'unsafe-inline'.
  app.use(
    securityHeaders({
      csp: {
        'default-src': "'none'",
        'style-src': "'self'",
        'script-src': await hashSource(COUNTDOWN_SCRIPT),
        'img-src': "'self'",
      },
    }),
    noStore(),
  );
  // csrf() only touches the token, never the typed values, so the wider store type is sound here.
  const forms: Middleware = explainMissingSession(
    csrf({ store: store as unknown as Store<SessionValues>, session: SESSION_NAME }),
    sessionCookieNames(store, SESSION_NAME),
    log,
  );

  app.get('/', forms, async (ctx: Context) => {
    const session = await store.get(ctx, SESSION_NAME);
    const user = session.subject;
    if (user === undefined) return ctx.redirect('/login');
    // A number, whatever an authentic record from another version holds: it goes into the page.
    const prior = session.values.visits;
    const visits = (typeof prior === 'number' && Number.isSafeInteger(prior) && prior >= 0 ? prior : 0) + 1;
    session.values.visits = visits;
    const flashes = session.flashes().map(String);
    const csrfToken = String(ctx.state['csrfToken'] ?? '');
    const sessions = server === undefined ? undefined : { list: await server.list(user, { current: session.id }), now: now() };
    ctx.html(renderHome({ user, visits, flashes, csrfToken, explain: explainOn, ...(sessions === undefined ? {} : { sessions }) }));
  });
  // The one stylesheet, named after its content: cached by the browser for a year, never stale.
  app.get(STYLESHEET_PATH, (ctx: Context) => {
    ctx.setHeader('cache-control', 'public, max-age=31536000, immutable');
    ctx.send(STYLE, 'text/css; charset=utf-8');
  });
  loginRoutes(app, forms, deps);
  if (server !== undefined) sessionRoutes(app, forms, { store: server, log });
  app.get('/healthz', (ctx: Context) => {
    // Never a secret here: key ids and states only, which every cookie's header shows anyway (the id).
    // Redis away still answers 200: this instance serves pages from its last synced revocations;
    // only logins wait (503), so taking it out of the pool would help nobody.
    const redis = state.redisHealth();
    ctx.json(redis === undefined ? { status: 'ok', keys: keysNow } : { status: 'ok', keys: keysNow, redis });
  });
  if (explainOn) {
    app.get('/explain', (ctx: Context) => explainer.handle(ctx));
    // The lab's GETs change nothing; its one POST (a pasted value) carries the CSRF token.
    app.get('/explain/lab', forms, (ctx: Context) => lab.show(ctx));
    app.post('/explain/lab', forms, (ctx: Context) => lab.check(ctx));
  }

  return {
    app,
    store,
    hashGate: deps.hashGate,
    revocations,
    close: () => state.close(),
    async setKeys(keys) {
      const next = await keyringOf(keys);
      keysNow = keyHealth(keys);
      store.keyring = next;
      explainer.setKeyring(next);
      lab.setKeyring(next);
    },
  };
}

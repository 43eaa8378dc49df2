/**
 * `cachet/fastify`: the `sessions` plugin. `fastify.register(sessions, { store })` gives every
 * request of that instance (and of the plugins registered inside it) `request.session`, loaded in
 * an `onRequest` hook, and commits it in an `onSend` hook: a changed session seals its cookie there
 * and the `Set-Cookie` is appended with `reply.header`, next to any the app set.
 *
 * The plugin never imports Fastify (cachet has no runtime dependency): it sees the instance, the
 * request and the reply through the small structural interfaces below, and marks itself
 * `Symbol.for('skip-override')` by hand, which is all `fastify-plugin` would do for it.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import type { Store } from '../../session/core/types.js';
import { CsrfGuard } from '../../web/csrf-guard.js';
import { SessionScope } from '../../web/session-scope.js';
import { asStoreUnavailable } from '../../web/store-unavailable.js';

/** Options of the {@link sessions} plugin, given to `fastify.register(sessions, options)`. */
export interface FastifySessionsOptions {
  /** The store every session of this instance comes from (`CookieStore`, `MemoryStore`, ...). */
  store: Store<SessionValues>;
  /** The session `request.session` holds. Default `'session'`. */
  name?: string;
}

/**
 * What the plugin adds to every request. Fastify's own types do not know it: declare it once in
 * your app (docs/adapters/fastify.md, "Types").
 *
 * @example
 * ```ts
 * import type { Session } from 'cachet';
 * import type { SessionRequest } from 'cachet/fastify';
 *
 * type Values = { user?: string; visits?: number };
 * declare module 'fastify' {
 *   interface FastifyRequest extends SessionRequest<Values> {}
 * }
 * ```
 */
export interface SessionRequest<T extends SessionValues = SessionValues> {
  /** The session named by the plugin's `name` option (`'session'`), loaded before the handler. */
  session: Session<T>;
  /** Another session of the same store, by name; loaded once per request and committed with the rest. */
  sessions(name: string): Promise<Session<T>>;
  /** The CSRF token for a form's hidden `_csrf` field (or a header), masked afresh on every call. */
  csrfToken(): string;
}

/** The Fastify request as the plugin sees it. */
export interface FastifyRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly ip?: string;
}

/** The Fastify reply as the plugin sees it: only `header()`, which appends to an earlier `set-cookie`. */
export interface FastifyReplyLike {
  header(name: string, value: string | readonly string[]): unknown;
}

type Done = (err?: Error) => void;
type OnSendDone = (err: Error | null, payload?: unknown) => void;

/** The Fastify instance as the plugin sees it. A real `FastifyInstance` satisfies it. */
export interface FastifyInstanceLike {
  decorateRequest(name: string | symbol, value: unknown): unknown;
  /** One signature for the three hooks the plugin adds: Fastify's own overloads are too rich to mirror. */
  addHook(name: 'onRequest' | 'onError' | 'onSend', hook: (...args: never[]) => void): unknown;
}

/** A Fastify plugin in callback form, marked so that Fastify does not encapsulate it. */
export interface FastifySessionsPlugin {
  (instance: FastifyInstanceLike, options: FastifySessionsOptions, done: (err?: Error) => void): void;
  readonly [key: symbol]: unknown;
}

const OPTION_KEYS: OptionKeys<FastifySessionsOptions> = { store: true, name: true };

// The request's scope, under a symbol so that it never meets an app's own decorator. Null before
// onRequest, and once an error reached Fastify's error handler (nothing is written then).
const SCOPE = Symbol('cachet.sessionScope');
// The guard only masks here; checking is the csrf() hook's. Masking needs no options.
const MASK = new CsrfGuard();

/** The per-request state the plugin keeps on the request, as the hooks see it. */
interface SessionState {
  readonly headers: FastifyRequestLike['headers'];
  readonly ip?: string;
  session: Session<SessionValues> | null;
  [SCOPE]: SessionScope | null;
}

function appendCookies(reply: FastifyReplyLike, cookies: readonly string[]): void {
  // Fastify's header() appends to a `set-cookie` the app set (it keeps an array), never replaces it.
  if (cookies.length > 0) reply.header('set-cookie', cookies);
}

function register(instance: FastifyInstanceLike, options: FastifySessionsOptions, done: Done): void {
  // A throw here would escape Fastify's plugin loader and end the process: hand it to done().
  try {
    install(instance, options);
  } catch (err) {
    done(err as Error);
    return;
  }
  done();
}

function install(instance: FastifyInstanceLike, options: FastifySessionsOptions): void {
  // What Fastify itself reads from the options of `register` (prefix, log settings) is not ours
  // and not wrong; left out of the check, it is left out of the list of valid options it prints.
  const { prefix: _prefix, logLevel: _logLevel, logSerializers: _logSerializers, ...own } = (options ?? {}) as FastifySessionsOptions & Record<string, unknown>;
  checkOptionKeys('sessions', own, OPTION_KEYS);
  const store = options?.store;
  if (typeof store?.get !== 'function') throw new TypeError('cachet/fastify: options.store must be a session store, e.g. fastify.register(sessions, { store })');
  const name = options.name ?? 'session';

  // Fastify 5 refuses reference values as request decorators: null here, the real values per
  // request. A second registration on the same instance throws here (the decorator exists).
  instance.decorateRequest('session', null);
  instance.decorateRequest(SCOPE, null);
  instance.decorateRequest('sessions', function sessions(this: SessionState, other: string): Promise<Session<SessionValues>> {
    const scope = this[SCOPE];
    if (scope === null) return Promise.reject(new Error('cachet/fastify: request.sessions() has no session scope here: call it after onRequest, and not once the request has failed'));
    return store.get(scope, other);
  });
  instance.decorateRequest('csrfToken', function csrfToken(this: SessionState): string {
    if (this.session === null) throw new Error('cachet/fastify: request.csrfToken() needs request.session, which loads in onRequest');
    return MASK.token(this.session);
  });

  instance.addHook('onRequest', (request: SessionState, _reply: never, next: Done): void => {
    const ip = request.ip;
    const scope = new SessionScope(ip === undefined ? { headers: request.headers } : { headers: request.headers, ip });
    request[SCOPE] = scope;
    store.get(scope, name).then(
      (session) => {
        request.session = session;
        next();
      },
      (err: unknown) => next(failure(err)), // 503 + Retry-After for an outage, else a generic 500
    );
  });

  // An error that reaches Fastify's error handler writes no session: the handler may have stopped
  // half-way through its changes. cachet's own server does the same (its error pages carry no cookie).
  instance.addHook('onError', (request: SessionState, _reply: never, _error: Error, next: Done): void => {
    request[SCOPE] = null;
    next();
  });

  // onSend runs before the headers are written, for every kind of payload (object, string, Buffer,
  // stream) and for redirects; the async seal is awaited here.
  instance.addHook('onSend', (request: SessionState, reply: FastifyReplyLike, payload: unknown, next: OnSendDone): void => {
    const scope = request[SCOPE];
    if (scope === null) {
      next(null, payload);
      return;
    }
    // A commit that fails goes to Fastify's error handler: the onError hook above clears the scope,
    // so the error page passes through here without trying again.
    let out: readonly string[] | Promise<readonly string[]>;
    try {
      out = scope.commit();
    } catch (err) {
      next(failure(err));
      return;
    }
    if (Array.isArray(out)) {
      appendCookies(reply, out);
      next(null, payload);
      return;
    }
    (out as Promise<readonly string[]>).then(
      (cookies) => {
        appendCookies(reply, cookies);
        next(null, payload);
      },
      (err: unknown) => next(failure(err)),
    );
  });
}

/**
 * What Fastify's error handler gets for a store that failed: a store that cannot be reached is a
 * 503 with Retry-After; anything else (a session too large for its cookie, a corrupt record) a 500
 * whose message is the generic one. Fastify sends an error's message to the client, and this one
 * named the cookie and its size; the real error stays as the `cause`, which Fastify's logger
 * prints with it (docs/errors.md: "logged, and the client gets a generic 500").
 */
function failure(err: unknown): Error {
  const unavailable = asStoreUnavailable(err);
  if (unavailable !== err) return unavailable as Error;
  return Object.assign(new Error('Internal Server Error', { cause: err }), { statusCode: 500 });
}

/**
 * The Fastify plugin: `request.session` on every request of the instance it is registered on, and
 * of the plugins registered inside that instance; committed in `onSend`, before the headers. It is not encapsulated (as if wrapped in `fastify-plugin`): registered at the root, it
 * covers every route.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { CookieStore, Keyring } from 'cachet';
 * import { sessions } from 'cachet/fastify';
 *
 * const store = new CookieStore({ keyring: await Keyring.create([{ id: 'k1', secret }]) });
 * const app = Fastify();
 * await app.register(sessions, { store });
 * app.get('/', async (request) => {
 *   request.session.values.visits = (Number(request.session.values.visits) || 0) + 1; // sealed in onSend
 *   return { visits: request.session.values.visits };
 * });
 * ```
 */
export const sessions: FastifySessionsPlugin = Object.assign(register, {
  // What fastify-plugin sets: run in the registering instance, not in a child (no encapsulation).
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'cachet/fastify',
  [Symbol.for('plugin-meta')]: { name: 'cachet/fastify', fastify: '5.x' },
});

/**
 * `sessions()`: cachet's sessions as Connect-style middleware, for Express 5, Express 4 and
 * Connect (docs/adapters/express.md).
 *
 * Each request gets a {@link SessionScope}; `req.session` is the default session, loaded before
 * the next middleware runs, and `req.sessions(name)` loads any other. The response is held (see
 * hold-response.ts) so that a changed session's cookie is sealed and on the response before its
 * headers leave: redirects included, with no `save()` to remember.
 *
 * The framework is never imported, not even as a type: the request and response are Node's, as
 * Express and Connect hand them over.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import type { Store } from '../../session/core/types.js';
import { SessionScope } from '../../web/session-scope.js';
import { asStoreUnavailable } from '../../web/store-unavailable.js';
import { holdResponse } from './hold-response.js';

/** Options for {@link sessions}. */
export interface ExpressSessionsOptions<T extends SessionValues> {
  /** The store every session of this app comes from (`CookieStore`, `MemoryStore`, ...). */
  store: Store<T>;
  /** The session `req.session` holds, and the one `req.sessions()` loads without a name. Default `'session'`. */
  name?: string;
  /**
   * The client address the server-side stores record in their session lists. Default: Express's
   * `req.ip` (which honours the app's `trust proxy` setting), else the socket's address.
   */
  ip?: (req: ExpressRequestLike) => string | undefined;
}

/**
 * What `sessions()` adds to the request. Merge it into Express's `Request` to type `req.session`
 * (cachet itself never imports Express):
 *
 * @example
 * ```ts
 * import type { SessionRequest } from 'cachet/express';
 * interface Values { user?: string; visits?: number }
 * declare global {
 *   namespace Express {
 *     interface Request extends SessionRequest<Values> {}
 *   }
 * }
 * // now req.session.values.user is `string | undefined` in every handler
 * ```
 */
export interface SessionRequest<T extends SessionValues = SessionValues> {
  /** The session named by the `name` option (default `'session'`), loaded before your handler runs. */
  session: Session<T>;
  /** The session called `name` (default: the `name` option), loaded once per request: the same object on every call. */
  sessions(name?: string): Promise<Session<T>>;
}

/** The request as `sessions()` sees it: Node's, plus what Express adds. */
export interface ExpressRequestLike extends IncomingMessage {
  /** Express's client address (honours `trust proxy`); absent on Connect. */
  readonly ip?: string | undefined;
}

/** A Connect/Express middleware, typed on Node's request and response only. */
export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const OPTION_KEYS: OptionKeys<ExpressSessionsOptions<SessionValues>> = { store: true, name: true, ip: true };

// Express never tells a middleware that a route threw: its error page, a 5xx, is the only sign.
// A 5xx response commits nothing, as a thrown error on cachet's own server does: the change a
// failed request made halfway is never written (docs/adapters/express.md, "What to know").
const NOTHING: readonly string[] = Object.freeze([]);

// A failed load or commit goes to Express's error handling: a store that cannot be reached as a
// 503 with Retry-After (asStoreUnavailable), anything else as it is. Both are module functions,
// not closures made per request: a closure per request for this cost a session read 2.7% (two
// interleaved A/Bs of 6 and 8 rounds, docs/benchmarks.md).

/** Loads the default session into `req.session`, then hands over to the next middleware. */
async function loadSession<T extends SessionValues>(
  store: Store<T>,
  scope: SessionScope,
  name: string,
  fields: Partial<SessionRequest<T>>,
  next: (err?: unknown) => void,
): Promise<void> {
  let session: Session<T>;
  try {
    session = await store.get(scope, name);
  } catch (err) {
    next(asStoreUnavailable(err));
    return;
  }
  fields.session = session;
  next();
}

/** `scope.commit()`, with a store outage turned into the 503 error. */
function commitScope(scope: SessionScope): readonly string[] | Promise<readonly string[]> {
  let out: readonly string[] | Promise<readonly string[]>;
  try {
    out = scope.commit();
  } catch (err) {
    throw asStoreUnavailable(err);
  }
  return out instanceof Promise ? out.then(undefined, rethrowUnavailable) : out;
}

function rethrowUnavailable(err: unknown): never {
  throw asStoreUnavailable(err);
}

function defaultIp(req: ExpressRequestLike): string | undefined {
  return req.ip ?? req.socket?.remoteAddress;
}

/**
 * Sessions for Express 5, Express 4 and Connect: `req.session` is the loaded session, and a
 * changed one is sealed into `Set-Cookie` before the response's headers go out.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { CookieStore, Keyring } from 'cachet';
 * import { sessions } from 'cachet/express';
 *
 * const store = new CookieStore<{ visits?: number }>({ keyring: await Keyring.create([{ id: 'k1', secret }]) });
 * const app = express();
 * app.use(sessions({ store }));
 * app.get('/', (req, res) => {
 *   req.session.values.visits = (req.session.values.visits ?? 0) + 1; // sealed before the headers
 *   res.send(`visit ${req.session.values.visits}`);
 * });
 * ```
 */
export function sessions<T extends SessionValues>(options: ExpressSessionsOptions<T>): ExpressMiddleware {
  checkOptionKeys('sessions', options, OPTION_KEYS);
  const store = options.store;
  if (typeof store?.get !== 'function') throw new TypeError('sessions(): options.store must be a session store, e.g. sessions({ store })');
  const defaultName = options.name ?? 'session';
  if (typeof defaultName !== 'string') throw new TypeError('sessions(): options.name must be a string');
  const ipOf = options.ip ?? defaultIp;

  return (req, res, next) => {
    const ip = ipOf(req);
    const scope = new SessionScope(ip === undefined ? { headers: req.headers } : { headers: req.headers, ip });
    const fields = req as IncomingMessage & Partial<SessionRequest<T>>;
    fields.sessions = (name = defaultName) => store.get(scope, name);
    // Held before anything downstream can write.
    holdResponse(res, (status) => (status >= 500 ? NOTHING : commitScope(scope)), next);
    void loadSession(store, scope, defaultName, fields, next);
  };
}

/**
 * `createApp`: routes and middleware on top of the router, and the node request listener.
 *
 * The hot path (measured against raw node:http "hello"): one target split, one router lookup, one
 * Context object, the handler called directly when the chain is just the handler, and a
 * synchronous flush when the handler returns synchronously; no closure per request there.
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import { Router } from './router/radix.js';
import type { Params, RouterLike } from './router/types.js';
import { BODY_DEFAULTS, BODY_OPTION_KEYS } from './body.js';
import type { BodyOptions } from './body.js';
import { Context } from './context.js';
import type { BeforeSendHook, ContextConfig } from './context.js';
import { HttpError } from './http-error.js';
import { refusedHead } from './request-head.js';
import { loggableTarget, parseRequestTarget, toggleTrailingSlash } from './request-target.js';
import { guardRequestId } from './request-id.js';
import { writeBare, writeError, writeStaged } from './respond.js';
import { guardAccess, guardError, writeAccessLine } from './log.js';
import type { Reporter } from './respond.js';
import { runChain } from './chain.js';
import { listen } from './listen.js';
import type { ClusterListenOptions, ListenOptions } from './listen.js';
import type { Cluster } from './cluster.js';
import { SERVER_OPTION_KEYS, type ServerOptions } from './server.js';
import { shutdown } from './shutdown.js';
import type { ShutdownOptions } from './shutdown.js';
import type { AppLogger, Handler, Middleware } from './types.js';

/** Options for {@link createApp}. */
export interface AppOptions {
  /** Body limits for readForm()/readJson(). Default `{ limit: 100_000, fields: 1000 }`. */
  body?: BodyOptions;
  /** How many proxies in front of the app append to X-Forwarded-For (`true` = 1). Default 0: the socket peer. */
  trustProxy?: boolean | number;
  /** 'strict' (default): `/a/` and `/a` are different paths. 'redirect': a GET/HEAD that only matches with the slash toggled gets a 308. */
  trailingSlash?: 'strict' | 'redirect';
  /** One line per request on stdout. Default true; false switches it off. */
  accessLog?: boolean;
  /** Where the access log and unexpected errors go (defaults: stdout and stderr). */
  logger?: AppLogger;
  /** Makes the request id. Default: a per-process random prefix and a counter (`k3x9q2-1a`). */
  requestId?: (req: IncomingMessage) => string;
  /** The router to use, e.g. `new LinearRouter()` when debugging. Default: the radix `Router`. */
  router?: RouterLike<Route>;
  /** Server timeouts and limits used by listen() (each can be overridden there). */
  server?: ServerOptions;
}

const OPTION_KEYS: OptionKeys<AppOptions> = {
  body: true, trustProxy: true, trailingSlash: true, accessLog: true, logger: true, requestId: true, router: true, server: true,
};
const LOGGER_KEYS: OptionKeys<AppLogger> = { access: true, error: true };

/** What the router stores per method and path. */
export interface Route {
  /** The route's own middleware and handler. */
  own: Middleware[];
  /** Global middleware + own, rebuilt when `use()` is called after the route was added. */
  chain: Middleware[];
  version: number;
}

/** The application: register middleware and routes, then serve. */
export interface App {
  /** Adds app-wide middleware, run for every routed request (including 404/405/OPTIONS answers). */
  use(...middleware: Middleware[]): App;
  /** Registers `handlers` (middleware..., handler) for `method` ('ALL' for every standard method). */
  route(method: string, path: string, ...handlers: Handler[]): App;
  get(path: string, ...handlers: Handler[]): App;
  head(path: string, ...handlers: Handler[]): App;
  post(path: string, ...handlers: Handler[]): App;
  put(path: string, ...handlers: Handler[]): App;
  patch(path: string, ...handlers: Handler[]): App;
  delete(path: string, ...handlers: Handler[]): App;
  options(path: string, ...handlers: Handler[]): App;
  all(path: string, ...handlers: Handler[]): App;
  /** A node:http request listener, usable with `http.createServer` or `https.createServer`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts a hardened server (see docs/http.md for the defaults). */
  listen(options?: ListenOptions): Promise<Server>;
  /**
   * Cluster mode: in the primary, forks the workers and resolves to a {@link Cluster} once all
   * listen; in a worker (which runs the same script), resolves to that worker's Server.
   */
  listen(options: ClusterListenOptions): Promise<Server | Cluster>;
  /** Gracefully shuts down every server started by listen(). */
  close(options?: ShutdownOptions): Promise<void>;
  /** The router, e.g. for `prettyPrint()`. */
  readonly router: RouterLike<Route>;
}

const EMPTY_PARAMS: Params = Object.freeze(Object.create(null) as Params);

/**
 * Creates an application.
 *
 * @example
 * ```ts
 * import { createApp, HttpError } from 'cachet';
 * const app = createApp({ trustProxy: 1 });
 * app.get('/users/:id', (ctx) => ctx.json({ id: ctx.params.id }));
 * app.post('/login', async (ctx) => {
 *   const form = await ctx.readForm();
 *   if (!form.get('user')) throw new HttpError(400, 'user is required');
 *   ctx.redirect('/');
 * });
 * const server = await app.listen({ port: 3000, host: '127.0.0.1', signals: true });
 * ```
 */
export function createApp(options: AppOptions = {}): App {
  checkOptionKeys('createApp', options, OPTION_KEYS);
  checkOptionKeys('createApp body', options.body, BODY_OPTION_KEYS);
  checkOptionKeys('createApp server', options.server, SERVER_OPTION_KEYS);
  checkOptionKeys('createApp logger', options.logger, LOGGER_KEYS);
  const router: RouterLike<Route> = options.router ?? new Router<Route>();
  const trust = options.trustProxy === true ? 1 : options.trustProxy === false ? 0 : (options.trustProxy ?? 0);
  if (!Number.isInteger(trust) || trust < 0) throw new TypeError('trustProxy must be a boolean or a non-negative integer');
  const config: ContextConfig = {
    body: { ...BODY_DEFAULTS, ...options.body },
    trustProxy: trust,
    requestId: guardRequestId(options.requestId),
  };
  const redirectSlash = options.trailingSlash === 'redirect';
  const logger = options.logger ?? {};
  const reporter: Reporter = {
    access: options.accessLog === false ? null : guardAccess(logger.access ?? writeAccessLine),
    error: guardError(logger.error),
    closing: false,
  };
  const global: Middleware[] = [];
  let version = 0;
  const servers = new Set<Server>();

  function chainOf(route: Route): Middleware[] {
    if (route.version !== version) {
      route.chain = global.length === 0 ? route.own : [...global, ...route.own];
      route.version = version;
    }
    return route.chain;
  }

  function terminal(fn: Middleware): Middleware[] {
    return global.length === 0 ? [fn] : [...global, fn];
  }

  function run(ctx: Context, chain: Middleware[]): void {
    if (reporter.access !== null) ctx._start = performance.now();
    let out: Promise<void> | void;
    try {
      out = runChain(ctx, chain);
    } catch (err) {
      writeError(ctx, err, reporter);
      return;
    }
    if (out !== undefined) out.then(() => finish(ctx), (err: unknown) => writeError(ctx, err, reporter));
    else finish(ctx);
  }

  // Hooks that complete synchronously (a session with nothing to write) are run inline: only
  // from the first one returning a promise on does the rest go through runHooks.
  function finish(ctx: Context): void {
    const hooks = ctx._hooks;
    if (hooks !== null) {
      // Index loop: a hook may register another hook, which then runs too.
      for (let i = 0; i < hooks.length; i++) {
        let out: unknown;
        try {
          out = (hooks[i] as BeforeSendHook)();
        } catch (err) {
          writeError(ctx, err, reporter);
          return;
        }
        if (typeof (out as Promise<void> | undefined)?.then === 'function') {
          Promise.resolve(out as Promise<void>).then(() => runHooks(ctx, i + 1)).then(() => flush(ctx), (err: unknown) => writeError(ctx, err, reporter));
          return;
        }
      }
    }
    flush(ctx);
  }

  function flush(ctx: Context): void {
    try {
      writeStaged(ctx, reporter);
    } catch (err) {
      // An invalid staged header (node refuses CR/LF): the generic 500 instead.
      writeError(ctx, err, reporter);
    }
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    // A head this server does not take (request-head.ts: the version, Host, a transfer coding) is
    // refused like a malformed target, before any context exists.
    const refused = refusedHead(req);
    const target = refused === 0 ? parseRequestTarget(req.url ?? '') : null;
    if (target === null) {
      const status = refused === 0 ? 400 : refused;
      // After another version or an unknown transfer coding, what follows on the socket cannot be
      // framed with certainty: the connection ends with this answer.
      writeBare(res, status, STATUS_CODES[status] ?? 'Bad Request', method, {}, status !== 400);
      logUnrouted(req, method, status);
      return;
    }
    const found = router.lookup(method, target.path);
    if (found.kind === 'found') {
      const ctx = new Context(config, req, res, target.path, target.query, found.params, found.route);
      run(ctx, chainOf(found.handler));
      return;
    }
    if (found.kind === 'bad-request') {
      writeBare(res, 400, 'Bad Request', method);
      logUnrouted(req, method, 400);
      return;
    }
    const ctx = new Context(config, req, res, target.path, target.query, EMPTY_PARAMS, '');
    if (found.kind === 'method-not-allowed') {
      const allow = found.allow.join(', ');
      run(ctx, terminal(method === 'OPTIONS' ? answerOptions(allow) : refuseMethod(allow)));
      return;
    }
    if (redirectSlash && (method === 'GET' || method === 'HEAD')) {
      const other = toggleTrailingSlash(target.path);
      if (other !== null && router.lookup(method, other).kind === 'found') {
        const location = target.query === '' ? other : `${other}?${target.query}`;
        run(ctx, terminal((c) => c.redirect(location, 308)));
        return;
      }
    }
    run(ctx, terminal(notFound));
  }

  // Requests refused before a context exists still get their access-log line, with the target
  // made safe to log (request-target.ts, `loggableTarget`).
  function logUnrouted(req: IncomingMessage, method: string, status: number): void {
    if (reporter.access === null) return;
    reporter.access({ method, path: loggableTarget(req.url ?? ''), status, durationMs: 0, requestId: config.requestId(req) });
  }

  function add(method: string, path: string, handlers: Handler[]): App {
    if (handlers.length === 0) throw new TypeError(`route ${method} ${path} needs a handler`);
    for (const h of handlers) if (typeof h !== 'function') throw new TypeError(`route ${method} ${path}: handlers must be functions`);
    router.add(method, path, { own: handlers, chain: handlers, version: -1 });
    return app;
  }

  const app: App = {
    use(...middleware) {
      for (const m of middleware) if (typeof m !== 'function') throw new TypeError('use() takes middleware functions');
      global.push(...middleware);
      version++;
      return app;
    },
    route: (method, path, ...handlers) => add(method.toUpperCase(), path, handlers),
    get: (path, ...handlers) => add('GET', path, handlers),
    head: (path, ...handlers) => add('HEAD', path, handlers),
    post: (path, ...handlers) => add('POST', path, handlers),
    put: (path, ...handlers) => add('PUT', path, handlers),
    patch: (path, ...handlers) => add('PATCH', path, handlers),
    delete: (path, ...handlers) => add('DELETE', path, handlers),
    options: (path, ...handlers) => add('OPTIONS', path, handlers),
    all: (path, ...handlers) => add('ALL', path, handlers),
    handler,
    router,
    listen: (async (listenOptions: ListenOptions | ClusterListenOptions = {}) => {
      const started = await listen(handler, { ...options.server, ...listenOptions }, reporter);
      if ('pids' in started) return started;
      servers.add(started);
      started.once('close', () => servers.delete(started));
      return started;
    }) as App['listen'],
    async close(shutdownOptions) {
      await Promise.all([...servers].map((s) => shutdown(s, shutdownOptions)));
    },
  };
  return app;
}

async function runHooks(ctx: Context, from: number): Promise<void> {
  const hooks = ctx._hooks as NonNullable<Context['_hooks']>;
  // Index loop: a hook may register another hook, which then runs too.
  for (let i = from; i < hooks.length; i++) await (hooks[i] as () => void | Promise<void>)();
}

function notFound(): never {
  throw new HttpError(404, 'Not Found');
}

function refuseMethod(allow: string): Middleware {
  return () => {
    throw new HttpError(405, 'Method Not Allowed', { headers: { allow } });
  };
}

function answerOptions(allow: string): Middleware {
  return (ctx) => {
    ctx.setHeader('allow', allow);
    ctx.status(204);
  };
}

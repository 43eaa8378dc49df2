// The cases of cachet/express that live below the shared session suite: what holding a Node
// response until the commit must never break (an end callback, an encoding, a streamed or piped
// body, writeHead's own headers) and what a failed commit must do. They run on every framework
// that hands middleware Node's own request and response: Express 5, Express 4 and Connect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import { Readable } from 'node:stream';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import type { Session } from '../../src/session/core/session.js';
import type { SessionContext, Store } from '../../src/session/core/types.js';
import { csrf, sessions, type SessionRequest } from '../../src/adapters/express/index.js';
import { SessionError } from '../../src/errors.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { holdCalls } from '../session/held-call.js';

export type Values = { n?: number; user?: string; seen?: boolean };
export type Req = IncomingMessage & SessionRequest<Values>;
export type Handler = (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void;
export type ErrorHandler = (err: unknown, req: Req, res: ServerResponse, next: (err?: unknown) => void) => void;

/** A framework that runs Connect-style middleware on Node's request and response. */
export interface NodeFramework {
  name: string;
  /** A new app: `use(path?, fn)` mounts middleware (or an error handler) in order, `listen` serves it. */
  create(): {
    use(...args: [Handler | ErrorHandler] | [string, Handler | ErrorHandler]): unknown;
    listen(port: number, host: string, cb: () => void): Server;
  };
}

export const keyring = await Keyring.create([generateKey('k')]);
export const NOW = Date.UTC(2026, 11, 4);
export function newStore(): CookieStore<Values> {
  return new CookieStore<Values>({ keyring, now: () => NOW });
}

/** A store whose commit fails: what a server-side store does when its database is down. */
export function failingStore(inner: Store<Values>, fail: () => void | Promise<void>): Store<Values> {
  return {
    get: (ctx: SessionContext, name: string) => {
      const loading = inner.get(ctx, name);
      ctx.onBeforeSend(fail);
      return loading;
    },
    save: (ctx, session) => inner.save(ctx, session),
    destroy: (ctx, session) => inner.destroy(ctx, session),
  };
}

export interface Served {
  url: string;
  /** Errors the app's last error handler received. */
  errors: unknown[];
  close(): Promise<void>;
}

/** Serves `routes` (path → handler) behind `sessions({ store })`, with an error handler that answers 500. */
export async function serveNode(
  framework: NodeFramework,
  store: Store<Values>,
  routes: Record<string, Handler>,
  before: Handler[] = [],
): Promise<Served> {
  const app = framework.create();
  const errors: unknown[] = [];
  app.use(sessions({ store }) as Handler);
  for (const mw of before) app.use(mw);
  for (const [path, handler] of Object.entries(routes)) app.use(path, handler);
  // Four parameters: that is how Express and Connect tell an error handler.
  app.use(((err, _req, res, _next) => {
    errors.push(err);
    if (res.headersSent) return;
    res.statusCode = (err as { status?: number }).status ?? 500;
    res.end(`error: ${(err as Error).message}`);
  }) as ErrorHandler);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    errors,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The `name=value` of a response's cookie `name`, or undefined. */
export function cookieOf(res: Response, name = '__Host-session'): string | undefined {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  return line?.split(';')[0];
}

/** Counts calls, for "exactly once". */
export function counter(): { calls: number; fn: () => void } {
  const c = { calls: 0, fn: () => { c.calls++; } };
  return c;
}

/** A promise the test resolves, with its resolve. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

function changed(req: Req): void {
  req.session.values.n = (req.session.values.n ?? 0) + 1;
}

/** Registers the Node-level cases for `framework`. */
export function nodeResponseCases(framework: NodeFramework): void {
  const t = (title: string, fn: () => Promise<void>) => test(`${framework.name}: ${title}`, { timeout: 10_000 }, fn);

  t('calls the res.end callback exactly once, after a commit that sealed a changed session', async () => {
    const done = counter();
    const finished = deferred();
    const s = await serveNode(framework, newStore(), {
      '/end': (req, res) => {
        changed(req);
        res.end('ok', () => { done.fn(); finished.resolve(); });
      },
    });
    try {
      const res = await fetch(`${s.url}/end`);
      assert.equal(await res.text(), 'ok');
      assert.ok(cookieOf(res) !== undefined, 'the sealed cookie is on the response');
      await finished.promise;
      await new Promise((r) => setImmediate(r));
      assert.equal(done.calls, 1);
    } finally {
      await s.close();
    }
  });

  t('keeps the encoding and the callback of res.end(data, encoding, cb) while the commit runs', async () => {
    const done = counter();
    const s = await serveNode(framework, newStore(), {
      '/b64': (req, res) => {
        changed(req);
        res.end('aGVsbG8=', 'base64', done.fn);
      },
      '/cb-only': (req, res) => {
        changed(req);
        res.write('just a callback');
        res.end(done.fn);
      },
    });
    try {
      const res = await fetch(`${s.url}/b64`);
      assert.equal(await res.text(), 'hello');
      assert.ok(cookieOf(res) !== undefined);
      const only = await fetch(`${s.url}/cb-only`);
      assert.equal(await only.text(), 'just a callback');
      assert.ok(cookieOf(only) !== undefined);
      await new Promise((r) => setImmediate(r));
      assert.equal(done.calls, 2);
    } finally {
      await s.close();
    }
  });

  t('delivers a body written in several chunks whole, with the Set-Cookie, when the session changed first', async () => {
    const s = await serveNode(framework, newStore(), {
      '/chunks': (req, res) => {
        changed(req);
        res.setHeader('content-type', 'text/plain');
        res.write('one,');
        res.write(Buffer.from('two,'));
        res.write('dGhyZWUs', 'base64');
        setTimeout(() => res.end('four'), 5);
      },
    });
    try {
      const res = await fetch(`${s.url}/chunks`);
      assert.equal(await res.text(), 'one,two,three,four');
      assert.ok(cookieOf(res) !== undefined);
    } finally {
      await s.close();
    }
  });

  t('delivers a piped Readable whole, with the Set-Cookie', async () => {
    const parts = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
    const s = await serveNode(framework, newStore(), {
      '/pipe': (req, res) => {
        changed(req);
        Readable.from(parts).pipe(res);
      },
    });
    try {
      const res = await fetch(`${s.url}/pipe`);
      assert.equal(await res.text(), parts.join(''));
      assert.ok(cookieOf(res) !== undefined);
    } finally {
      await s.close();
    }
  });

  t('keeps writeHead\'s status and headers, its own Set-Cookie included, next to the session cookie', async () => {
    const s = await serveNode(framework, newStore(), {
      '/created': (req, res) => {
        changed(req);
        res.setHeader('set-cookie', 'early=1; Path=/');
        res.writeHead(201, { 'content-type': 'text/plain', 'Set-Cookie': ['theme=dark; Path=/'] });
        res.end('made');
      },
    });
    try {
      const res = await fetch(`${s.url}/created`);
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), 'text/plain');
      assert.equal(await res.text(), 'made');
      const names = res.headers.getSetCookie().map((l) => l.split('=')[0]).sort();
      assert.deepEqual(names, ['__Host-session', 'theme']);
    } finally {
      await s.close();
    }
  });

  t('holds res.flushHeaders() like the other calls that send the headers, so the cookie is still on them', async () => {
    const s = await serveNode(framework, newStore(), {
      '/flush': (req, res) => {
        changed(req);
        res.setHeader('content-type', 'text/plain');
        res.flushHeaders();
        setTimeout(() => res.end('after the flush'), 5);
      },
    });
    try {
      const res = await fetch(`${s.url}/flush`);
      assert.equal(await res.text(), 'after the flush');
      assert.ok(cookieOf(res) !== undefined);
    } finally {
      await s.close();
    }
  });

  t('keeps a cookie staged by a synchronous commit next to writeHead\'s own Set-Cookie', async () => {
    const staging: Store<Values> = {
      get: (ctx, name) => {
        ctx.onBeforeSend(() => ctx.setCookie('staged', 'now', { path: '/' }));
        return newStore().get(ctx, name);
      },
      save: () => Promise.resolve(),
      destroy: () => Promise.resolve(),
    };
    const s = await serveNode(framework, staging, {
      '/sync': (_req, res) => {
        res.writeHead(200, { 'Set-Cookie': 'theme=dark; Path=/' });
        res.end('ok');
      },
    });
    try {
      const res = await fetch(`${s.url}/sync`);
      assert.equal(await res.text(), 'ok');
      assert.deepEqual(res.headers.getSetCookie().map((l) => l.split('=')[0]).sort(), ['staged', 'theme']);
    } finally {
      await s.close();
    }
  });

  t('sends the headers at once, and no Set-Cookie, for a request that changes no session', async () => {
    let sentAtOnce: boolean | undefined;
    const s = await serveNode(framework, newStore(), {
      '/plain': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        sentAtOnce = res.headersSent;
        res.end('untouched');
      },
    });
    try {
      const res = await fetch(`${s.url}/plain`);
      assert.equal(await res.text(), 'untouched');
      assert.deepEqual(res.headers.getSetCookie(), []);
      assert.equal(sentAtOnce, true, 'nothing to seal: the response is not held');
    } finally {
      await s.close();
    }
  });

  t('commits a session changed only by a middleware after sessions(), not by the handler', async () => {
    const s = await serveNode(
      framework,
      newStore(),
      { '/page': (_req, res) => res.end('page') },
      [(req, _res, next) => { req.session.values.seen = true; next(); }],
    );
    try {
      const res = await fetch(`${s.url}/page`);
      assert.equal(await res.text(), 'page');
      const cookie = cookieOf(res);
      assert.ok(cookie !== undefined);
      const store = newStore();
      const session = await store.get({ cookies: { '__Host-session': cookie.slice(cookie.indexOf('=') + 1) }, setCookie() {}, deleteCookie() {}, onBeforeSend() {} }, 'session');
      assert.equal(session.values.seen, true);
    } finally {
      await s.close();
    }
  });

  t('gives the same session for a name on every req.sessions() call, req.session for the default', async () => {
    const s = await serveNode(framework, newStore(), {
      '/same': (req, res) => {
        void (async () => {
          const [a, b, other] = await Promise.all([req.sessions(), req.sessions('session'), req.sessions('prefs')]);
          const again = await req.sessions('prefs');
          res.end(JSON.stringify([a === req.session, b === req.session, other === again, other !== req.session]));
        })();
      },
    });
    try {
      const res = await fetch(`${s.url}/same`);
      assert.deepEqual(await res.json(), [true, true, true, true]);
    } finally {
      await s.close();
    }
  });

  t('hands a commit that rejects to the error handler, which answers 500 instead of the held response', async () => {
    const done = counter();
    const s = await serveNode(framework, failingStore(newStore(), () => Promise.reject(new Error('store down'))), {
      '/save': (req, res) => {
        changed(req);
        res.end('should not arrive', done.fn);
      },
    });
    try {
      const res = await fetch(`${s.url}/save`);
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'error: store down');
      assert.deepEqual(res.headers.getSetCookie(), []);
      assert.equal(s.errors.length, 1);
      await new Promise((r) => setImmediate(r));
      assert.equal(done.calls, 1, 'the dropped end still calls back once the error response has finished');
    } finally {
      await s.close();
    }
  });

  t('hands a commit hook that throws synchronously to the error handler too', async () => {
    const s = await serveNode(framework, failingStore(newStore(), () => { throw new Error('sync failure'); }), {
      '/save': (_req, res) => res.end('should not arrive'),
    });
    try {
      const res = await fetch(`${s.url}/save`);
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'error: sync failure');
    } finally {
      await s.close();
    }
  });

  t('hands a held writeHead that Node refuses on replay (a header with a newline) to the error handler, not to an unhandled rejection', async () => {
    const s = await serveNode(framework, newStore(), {
      '/bad-header': (req, res) => {
        changed(req);
        res.writeHead(200, { 'x-note': 'line one\nline two' });
        res.end('should not arrive');
      },
    });
    try {
      const res = await fetch(`${s.url}/bad-header`);
      assert.equal(res.status, 500);
      assert.equal((s.errors[0] as { code?: string }).code, 'ERR_INVALID_CHAR');
    } finally {
      await s.close();
    }
  });

  t('resets the connection when the commit fails while a body is streaming, and reports the error', async () => {
    const gate = deferred();
    const s = await serveNode(framework, failingStore(newStore(), async () => { await gate.promise; throw new Error('late failure'); }), {
      '/stream': (_req, res) => {
        res.write('first part');
        gate.resolve();
        setTimeout(() => { res.write('more'); res.end('end'); }, 10);
      },
    });
    try {
      await assert.rejects(async () => {
        const res = await fetch(`${s.url}/stream`);
        await res.text();
      });
      for (let i = 0; i < 50 && s.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
      assert.equal((s.errors[0] as Error | undefined)?.message, 'late failure');
    } finally {
      await s.close();
    }
  });

  t('commits nothing on a 5xx response, the only sign Express gives of a failed route', async () => {
    const s = await serveNode(framework, newStore(), {
      '/unavailable': (req, res) => {
        changed(req);
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('try later');
      },
      '/teapot': (req, res) => {
        changed(req);
        res.statusCode = 418;
        res.end('short and stout');
      },
    });
    try {
      const failed = await fetch(`${s.url}/unavailable`);
      assert.equal(failed.status, 503);
      assert.equal(await failed.text(), 'try later');
      assert.deepEqual(failed.headers.getSetCookie(), []);
      const teapot = await fetch(`${s.url}/teapot`);
      assert.equal(teapot.status, 418);
      assert.ok(cookieOf(teapot) !== undefined, 'a 4xx still commits');
    } finally {
      await s.close();
    }
  });

  t('a destroy() that lands while the commit seals deletes the cookie: the seal begun at res.end() does not undo the logout', async () => {
    const store = newStore();
    const loggedOut = deferred();
    let held: ReturnType<typeof holdCalls> | undefined;
    const s = await serveNode(framework, store, {
      '/login': (req, res) => {
        req.session.values.user = 'alice';
        res.end('in');
      },
      '/logout': (req, res) => {
        changed(req); // so the commit at res.end() has something to seal
        held = holdCalls(CookieCodec.prototype, 'encodeJson');
        res.writeHead(303, { location: '/' });
        res.end(); // the commit begins: the response waits for the seal
        void (async () => {
          await held.started; // the seal is under way, alice still in it
          await req.session.destroy(); // the logout, written after the redirect as Express apps do
          held.release();
          loggedOut.resolve();
        })();
      },
    });
    try {
      const login = cookieOf(await fetch(`${s.url}/login`)) ?? '';
      const out = await fetch(`${s.url}/logout`, { headers: { cookie: login }, redirect: 'manual' });
      await loggedOut.promise;
      assert.equal(out.status, 303);
      assert.equal(cookieOf(out), '__Host-session=', 'the deletion went out, not the session sealed before the logout');
      assert.deepEqual(s.errors, []);
    } finally {
      held?.restore();
      await s.close();
    }
  });

  t('csrf() whose session option names another session hands a store outage while loading it to the error handler as the 503 with Retry-After', async () => {
    const inner = newStore();
    const down: Store<Values> = {
      get: (ctx, name) => (name === 'admin' ? Promise.reject(new SessionError('ERR_STORE_UNAVAILABLE', 'internal', 'store down at 10.0.0.7')) : inner.get(ctx, name)),
      save: (ctx, session) => inner.save(ctx, session),
      destroy: (ctx, session) => inner.destroy(ctx, session),
    };
    const s = await serveNode(framework, down, { '/form': (_req, res) => res.end('should not arrive') }, [csrf({ session: 'admin' }) as Handler]);
    try {
      const res = await fetch(`${s.url}/form`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
      assert.equal(res.status, 503);
      assert.notEqual(await res.text(), 'should not arrive');
      const err = s.errors[0] as { status?: number; expose?: boolean; headers?: Record<string, string> };
      assert.equal(err.status, 503);
      assert.equal(err.expose, true);
      assert.deepEqual(err.headers, { 'retry-after': '5' });
    } finally {
      await s.close();
    }
  });

  t('answers a tampered cookie with a fresh session, never an error', async () => {
    const s = await serveNode(framework, newStore(), {
      '/read': (req, res) => res.end(JSON.stringify(req.session.values)),
    });
    try {
      const res = await fetch(`${s.url}/read`, { headers: { cookie: `__Host-session=${'A'.repeat(5000)}; other=%zz` } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {});
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
}

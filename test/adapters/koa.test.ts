// cachet/koa on Koa 3: the shared session suite, then what is Koa's own: a stream as ctx.body,
// ctx.redirect, thrown errors, a failed commit, ctx.respond = false, and the CSRF refusal's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { csrf, sessions } from '../../src/adapters/koa/index.js';
import { sessionSuite } from './session-suite.js';
import { listening } from './express-harness.js';
import type { Harness, Mounted } from './harness.js';
import { cookieOf, failingStore, newStore, type Values } from './node-response-cases.js';
import { SessionError } from '../../src/errors.js';
import type { Store } from '../../src/session/core/types.js';
import { ipRecordingStore } from './suite-setup.js';

/**
 * Koa has no body parser of its own (koa-body and @koa/bodyparser are separate packages): this one
 * does what they do for an urlencoded form, fills `ctx.request.body`, and nothing more.
 */
async function formParser(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  if ((ctx.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    (ctx.request as { body?: unknown }).body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
  }
  await next();
}

function serve(app: Koa): Promise<Mounted> {
  return listening(createServer(app.callback()).listen(0, '127.0.0.1'));
}

const harness: Harness = {
  name: 'koa',
  start({ store, actions, csrf: withCsrf }) {
    const app = new Koa();
    app.silent = true; // Koa still answers 500; it only stops printing the suite's planned failure
    app.use(sessions({ store }));
    if (withCsrf) {
      app.use(formParser);
      app.use(csrf());
      app.use(async (ctx, next) => {
        if (ctx.path !== '/token') return next();
        ctx.body = { token: String(ctx.state['csrfToken']) };
      });
    }
    app.use(async (ctx) => {
      const match = /^\/a\/([^/]+)$/.exec(ctx.path);
      const action = match === null || (ctx.method !== 'GET' && ctx.method !== 'POST') ? undefined : actions[match[1] ?? ''];
      if (action === undefined) {
        ctx.status = 404;
        return;
      }
      const outcome = await action(ctx.session, new URLSearchParams(ctx.querystring), (name) => ctx.sessions(name));
      if ('chunks' in outcome) {
        ctx.type = 'text/plain';
        ctx.body = Readable.from(outcome.chunks);
      } else if ('json' in outcome) {
        if (outcome.appCookie !== undefined) ctx.cookies.set(outcome.appCookie.name, outcome.appCookie.value, { httpOnly: false });
        ctx.type = 'application/json';
        ctx.body = JSON.stringify(outcome.json);
      } else if ('redirect' in outcome) {
        ctx.redirect(outcome.redirect);
      } else {
        ctx.status = outcome.status ?? 200;
        ctx.type = 'text/plain';
        ctx.body = outcome.text;
      }
    });
    return serve(app);
  },
};

sessionSuite(harness);

const t = (title: string, fn: () => Promise<void>) => test(`koa: ${title}`, { timeout: 10_000 }, fn);

function bump(ctx: Koa.Context): void {
  ctx.session.values.count = (ctx.session.values.count ?? 0) + 1;
}

/** Runs `run` against an app `setup` built; `firstError` settles with the first error Koa reports. */
async function withApp(setup: (app: Koa) => void, run: (url: string, errors: unknown[], firstError: Promise<unknown>) => Promise<void>): Promise<void> {
  const app = new Koa();
  const errors: unknown[] = [];
  let reported: (err: unknown) => void = () => {};
  const firstError = new Promise<unknown>((resolve) => { reported = resolve; });
  app.silent = true;
  app.on('error', (err: unknown) => {
    errors.push(err);
    reported(err);
  });
  setup(app);
  const mounted = await serve(app);
  try {
    await run(mounted.url, errors, firstError);
  } finally {
    await mounted.close();
  }
}

t('delivers a Readable set as ctx.body whole, with the Set-Cookie of the session changed before it', async () => {
  const parts = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        bump(ctx);
        ctx.type = 'text/plain';
        ctx.body = Readable.from(parts);
      });
    },
    async (url) => {
      const res = await fetch(url);
      assert.equal(await res.text(), parts.join(''));
      assert.ok(cookieOf(res) !== undefined);
    },
  );
});

t('puts the cookie of a session changed before ctx.redirect on the redirect', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        if (ctx.path === '/login') {
          ctx.session.regenerate();
          ctx.session.values.user = 'ada';
          ctx.redirect('/home');
        } else ctx.body = { user: ctx.session.values.user ?? null };
      });
    },
    async (url) => {
      const login = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual' });
      assert.equal(login.status, 302);
      const cookie = cookieOf(login);
      assert.ok(cookie !== undefined);
      const home = await fetch(`${url}/home`, { headers: { cookie } });
      assert.deepEqual(await home.json(), { user: 'ada' });
      assert.deepEqual(home.headers.getSetCookie(), []);
    },
  );
});

t('commits nothing when a later middleware throws, and Koa answers with the error\'s status', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        bump(ctx);
        if (ctx.path === '/forbidden') ctx.throw(403, 'no entry');
        throw new Error('broken');
      });
    },
    async (url, errors) => {
      const broken = await fetch(`${url}/broken`);
      assert.equal(broken.status, 500);
      assert.deepEqual(broken.headers.getSetCookie(), []);
      const forbidden = await fetch(`${url}/forbidden`);
      assert.equal(forbidden.status, 403);
      assert.equal(await forbidden.text(), 'no entry');
      assert.deepEqual(forbidden.headers.getSetCookie(), []);
      assert.deepEqual(errors.map((e) => (e as { status?: number }).status ?? 500), [500, 403]);
    },
  );
});

t('commits a session changed by an error middleware that catches the error and answers itself', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch {
          ctx.session.addFlash('something went wrong');
          ctx.redirect('/');
        }
      });
      app.use(() => {
        throw new Error('broken');
      });
    },
    async (url) => {
      const res = await fetch(`${url}/`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.ok(cookieOf(res) !== undefined, 'the flash is written');
    },
  );
});

t('a commit that rejects becomes Koa\'s 500, and sends no cookie', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: failingStore(newStore(), () => Promise.reject(new Error('store down'))) }));
      app.use((ctx) => {
        bump(ctx);
        ctx.body = 'should not arrive';
      });
    },
    async (url, errors) => {
      const res = await fetch(url);
      assert.equal(res.status, 500);
      assert.notEqual(await res.text(), 'should not arrive');
      assert.deepEqual(res.headers.getSetCookie(), []);
      assert.equal((errors[0] as Error).message, 'store down');
    },
  );
});

t('reports a changed session on a response sent around Koa (ctx.respond = false) instead of losing it silently', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        bump(ctx);
        ctx.respond = false;
        ctx.res.end('raw');
      });
    },
    async (url, _errors, firstError) => {
      const res = await fetch(url);
      assert.equal(await res.text(), 'raw');
      assert.match(String((await firstError as Error).message), /sent before the session could commit/);
    },
  );
});

t('sends no Set-Cookie and adds no header for a request that never touches the session', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        ctx.body = 'plain';
      });
    },
    async (url) => {
      const res = await fetch(url);
      assert.equal(await res.text(), 'plain');
      assert.deepEqual(res.headers.getSetCookie(), []);
    },
  );
});

t('sets ctx.session as its own even when app.context has a session accessor (koa-session during a migration)', async () => {
  const taken: unknown[] = [];
  await withApp(
    (app) => {
      Object.defineProperty(app.context, 'session', { configurable: true, get: () => 'the other library', set: (value: unknown) => { taken.push(value); } });
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        bump(ctx);
        ctx.body = { count: ctx.session.values.count };
      });
    },
    async (url) => {
      const res = await fetch(url);
      assert.deepEqual(await res.json(), { count: 1 });
      assert.ok(cookieOf(res) !== undefined);
      assert.deepEqual(taken, [], 'the other setter never saw the session');
    },
  );
});

t('sets ctx.session as its own when an earlier middleware put a session accessor on ctx itself, on a later request', async () => {
  const taken: unknown[] = [];
  await withApp(
    (app) => {
      app.use((ctx, next) => {
        // Only on the second request: the first one has shown app.context to have no accessor.
        if (ctx.get('cookie') !== '') Object.defineProperty(ctx, 'session', { configurable: true, get: () => 'the other library', set: (value: unknown) => { taken.push(value); } });
        return next();
      });
      app.use(sessions({ store: newStore() }));
      app.use((ctx) => {
        bump(ctx);
        ctx.body = { count: ctx.session.values.count };
      });
    },
    async (url) => {
      const first = await fetch(url);
      assert.deepEqual(await first.json(), { count: 1 });
      const second = await fetch(url, { headers: { cookie: cookieOf(first) ?? '' } });
      assert.deepEqual(await second.json(), { count: 2 });
      assert.deepEqual(taken, [], 'the other setter never saw the session');
    },
  );
});

t('gives the same session for a name on every ctx.sessions() call, ctx.session for the default', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore() }));
      app.use(async (ctx) => {
        const [a, b, other] = await Promise.all([ctx.sessions(), ctx.sessions('session'), ctx.sessions('prefs')]);
        ctx.body = [a === ctx.session, b === ctx.session, other === (await ctx.sessions('prefs')), other !== ctx.session];
      });
    },
    async (url) => {
      assert.deepEqual(await (await fetch(url)).json(), [true, true, true, true]);
    },
  );
});

t('with the name option, ctx.session and ctx.sessions() with no name are that session, not the one called "session"', async () => {
  await withApp(
    (app) => {
      app.use(sessions({ store: newStore(), name: 'cart' }));
      app.use(async (ctx) => {
        const [a, b, plain] = await Promise.all([ctx.sessions(), ctx.sessions('cart'), ctx.sessions('session')]);
        ctx.body = [a === ctx.session, b === ctx.session, plain !== ctx.session];
      });
    },
    async (url) => {
      assert.deepEqual(await (await fetch(url)).json(), [true, true, true]);
    },
  );
});

t("the store sees Koa's ctx.ip as the client address when no ip option is given", async () => {
  const { store: recording, seen } = ipRecordingStore(newStore());
  await withApp(
    (app) => {
      app.use(sessions({ store: recording }));
      app.use((ctx) => {
        ctx.body = 'ok';
      });
    },
    async (url) => {
      assert.equal((await fetch(url)).status, 200);
      assert.deepEqual(seen, ['127.0.0.1']);
    },
  );
});

test('koa: sessions() refuses a missing store and a name that is not a string when it is made', () => {
  assert.throws(() => sessions({} as never), TypeError);
  assert.throws(() => sessions({ store: newStore(), name: 7 as never }), { name: 'TypeError', message: /options\.name must be a string/ });
});

t('csrf: a refusal is a thrown 403 with a stable code an error middleware can read', async () => {
  const codes: unknown[] = [];
  await withApp(
    (app) => {
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (err) {
          codes.push((err as { code?: unknown }).code);
          throw err;
        }
      });
      app.use(sessions({ store: newStore() }));
      app.use(formParser);
      app.use(csrf());
      app.use((ctx) => {
        ctx.body = { token: ctx.state['csrfToken'] };
      });
    },
    async (url) => {
      const first = await fetch(url);
      const { token } = (await first.json()) as { token: string };
      const cookie = cookieOf(first) ?? '';
      const bad = await fetch(url, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=nope' });
      assert.equal(bad.status, 403);
      assert.equal(await bad.text(), 'Forbidden: invalid CSRF token');
      const cross = await fetch(url, { method: 'POST', headers: { cookie, 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' } });
      assert.equal(cross.status, 403);
      const good = await fetch(url, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token }).toString() });
      assert.equal(good.status, 200);
      assert.deepEqual(codes, ['ERR_CSRF_BAD_TOKEN', 'ERR_CSRF_CROSS_SITE']);
    },
  );
});

t('csrf: without sessions() mounted first, fails with a TypeError that says so', async () => {
  await withApp(
    (app) => {
      app.use(csrf());
      app.use((ctx) => {
        ctx.body = 'unreachable';
      });
    },
    async (url, errors) => {
      assert.equal((await fetch(url)).status, 500);
      assert.ok(errors[0] instanceof TypeError);
      assert.match((errors[0] as Error).message, /sessions\(\{ store \}\) before csrf\(\)/);
    },
  );
});


t("csrf() whose session option names another session answers a store outage while loading it with 503 and Retry-After, as sessions() does", async () => {
  const inner = newStore();
  const down: Store<Values> = {
    get: (ctx, name) => (name === 'admin' ? Promise.reject(new SessionError('ERR_STORE_UNAVAILABLE', 'internal', 'store down at 10.0.0.7')) : inner.get(ctx, name)),
    save: (ctx, session) => inner.save(ctx, session),
    destroy: (ctx, session) => inner.destroy(ctx, session),
  };
  await withApp(
    (app) => {
      app.use(sessions({ store: down }));
      app.use(csrf({ session: 'admin' }));
      app.use((ctx) => {
        ctx.body = 'should not arrive';
      });
    },
    async (url) => {
      const res = await fetch(url, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.doesNotMatch(await res.text(), /10\.0\.0\.7/);
    },
  );
});

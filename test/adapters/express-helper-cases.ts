// cachet/express under Express's own response helpers (redirect, json, send, sendStatus), its
// body parser and its error handling, with CSRF. Run on Express 5 and Express 4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type express from 'express';
import { csrf, sessions } from '../../src/adapters/express/index.js';
import { cookieOf, newStore, type Values } from './node-response-cases.js';
import type { SessionRequest } from '../../src/adapters/express/index.js';
import { ipRecordingStore } from './suite-setup.js';

type Express = typeof express;
const root = resolve(new URL('../..', import.meta.url).pathname);
type Req = express.Request & SessionRequest<Values>;

async function listen(app: ReturnType<Express>): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export function expressHelperCases(name: string, factory: Express): void {
  const t = (title: string, fn: () => Promise<void>) => test(`${name}: ${title}`, { timeout: 10_000 }, fn);

  function sessionApp() {
    const store = newStore();
    const app = factory();
    app.use(sessions({ store }));
    app.post('/login', (req, res) => {
      const r = req as Req;
      r.session.regenerate();
      r.session.values.user = 'alice';
      res.redirect('/home');
    });
    app.get('/home', (req, res) => {
      res.json({ user: (req as Req).session.values.user ?? null });
    });
    app.get('/json', (req, res) => {
      (req as Req).session.values.n = 1;
      res.json({ ok: true });
    });
    app.get('/send', (req, res) => {
      (req as Req).session.values.n = 2;
      res.send('<p>sent</p>');
    });
    app.get('/status', (req, res) => {
      (req as Req).session.values.n = 3;
      res.sendStatus(204);
    });
    return app;
  }

  t('puts the cookie of a session changed before res.redirect on the redirect, and the next page sees it', async () => {
    const s = await listen(sessionApp());
    try {
      const login = await fetch(`${s.url}/login`, { method: 'POST', redirect: 'manual' });
      assert.equal(login.status, 302);
      assert.equal(login.headers.get('location'), '/home');
      const cookie = cookieOf(login);
      assert.ok(cookie !== undefined);
      const home = await fetch(`${s.url}/home`, { headers: { cookie } });
      assert.deepEqual(await home.json(), { user: 'alice' });
      assert.deepEqual(home.headers.getSetCookie(), [], 'an unchanged session sends no Set-Cookie');
    } finally {
      await s.close();
    }
  });

  t('commits a changed session under res.json, res.send and res.sendStatus, bodies intact', async () => {
    const s = await listen(sessionApp());
    try {
      const json = await fetch(`${s.url}/json`);
      assert.deepEqual(await json.json(), { ok: true });
      assert.ok(cookieOf(json) !== undefined);
      const send = await fetch(`${s.url}/send`);
      assert.equal(await send.text(), '<p>sent</p>');
      assert.equal(send.headers.get('content-length'), '11');
      assert.ok(cookieOf(send) !== undefined);
      const status = await fetch(`${s.url}/status`);
      assert.equal(status.status, 204);
      assert.ok(cookieOf(status) !== undefined);
      const head = await fetch(`${s.url}/send`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.ok(cookieOf(head) !== undefined);
    } finally {
      await s.close();
    }
  });

  t('commits a changed session under res.sendFile, the file streamed whole', async () => {
    const app = factory();
    app.use(sessions({ store: newStore() }));
    app.get('/file', (req, res) => {
      (req as Req).session.values.n = 4;
      res.sendFile(join(root, 'package.json'));
    });
    const s = await listen(app);
    try {
      const res = await fetch(`${s.url}/file`);
      assert.equal(await res.text(), readFileSync(join(root, 'package.json'), 'utf8'));
      assert.ok(cookieOf(res) !== undefined);
    } finally {
      await s.close();
    }
  });

  function csrfApp(factoryApp: ReturnType<Express>) {
    const errors: unknown[] = [];
    factoryApp.use(sessions({ store: newStore() }));
    factoryApp.use(factory.urlencoded({ extended: false }));
    factoryApp.use(csrf());
    factoryApp.get('/form', (_req, res) => {
      res.json({ token: res.locals['csrfToken'] });
    });
    factoryApp.post('/post', (_req, res) => {
      res.json({ posted: true });
    });
    factoryApp.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      errors.push(err);
      next(err); // Express's own final handler answers with err.status
    });
    return errors;
  }

  t('csrf: accepts the token from res.locals in the urlencoded _csrf field or in the x-csrf-token header', async () => {
    const app = factory();
    csrfApp(app);
    const s = await listen(app);
    try {
      const form = await fetch(`${s.url}/form`);
      const { token } = (await form.json()) as { token: string };
      const cookie = cookieOf(form);
      assert.ok(cookie !== undefined, 'showing a token starts a session for it');
      const viaField = await fetch(`${s.url}/post`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ _csrf: token, other: 'x' }).toString(),
      });
      assert.equal(viaField.status, 200);
      assert.deepEqual(await viaField.json(), { posted: true });
      const viaHeader = await fetch(`${s.url}/post`, { method: 'POST', headers: { cookie, 'x-csrf-token': token } });
      assert.equal(viaHeader.status, 200);
    } finally {
      await s.close();
    }
  });

  t('csrf: refuses a missing or wrong token, and a cross-site request, with 403 through next(err) and a stable code', async () => {
    const app = factory();
    const errors = csrfApp(app);
    const s = await listen(app);
    try {
      const form = await fetch(`${s.url}/form`);
      const { token } = (await form.json()) as { token: string };
      const cookie = cookieOf(form) ?? '';
      const missing = await fetch(`${s.url}/post`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      assert.equal(missing.status, 403);
      const wrong = await fetch(`${s.url}/post`, { method: 'POST', headers: { cookie, 'x-csrf-token': token.slice(1) + 'A' } });
      assert.equal(wrong.status, 403);
      const crossSite = await fetch(`${s.url}/post`, { method: 'POST', headers: { cookie, 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' } });
      assert.equal(crossSite.status, 403);
      assert.deepEqual(
        errors.map((e) => (e as { code: string; status: number }).code + ' ' + (e as { status: number }).status),
        ['ERR_CSRF_BAD_TOKEN 403', 'ERR_CSRF_BAD_TOKEN 403', 'ERR_CSRF_CROSS_SITE 403'],
      );
    } finally {
      await s.close();
    }
  });

  t('csrf: without sessions() mounted first, passes a TypeError to the error handler', async () => {
    const app = factory();
    const errors: unknown[] = [];
    app.use(csrf());
    app.get('/', (_req, res) => { res.send('unreachable'); });
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      errors.push(err);
      res.status(500).send('misconfigured');
    });
    const s = await listen(app);
    try {
      const res = await fetch(`${s.url}/`);
      assert.equal(res.status, 500);
      assert.ok(errors[0] instanceof TypeError);
      assert.match((errors[0] as Error).message, /sessions\(\{ store \}\) before csrf\(\)/);
    } finally {
      await s.close();
    }
  });

  t("the store sees req.ip as the client address, so Express's trust proxy setting decides it", async () => {
    const { store: recording, seen } = ipRecordingStore(newStore());
    const app = factory();
    app.set('trust proxy', 'loopback');
    app.use(sessions({ store: recording }));
    app.get('/', (_req, res) => { res.send('ok'); });
    const s = await listen(app);
    try {
      assert.equal((await fetch(`${s.url}/`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status, 200);
      assert.deepEqual(seen, ['203.0.113.9'], 'req.ip, the address the trusted proxy forwarded, not the socket');
    } finally {
      await s.close();
    }
  });

  t('with the name option, req.session and req.sessions() with no name are that session', async () => {
    const app = factory();
    app.use(sessions({ store: newStore(), name: 'cart' }));
    app.get('/', async (req, res) => {
      const r = req as Req;
      const [a, b, plain] = await Promise.all([r.sessions(), r.sessions('cart'), r.sessions('session')]);
      res.json([a === r.session, b === r.session, plain !== r.session]);
    });
    const s = await listen(app);
    try {
      assert.deepEqual(await (await fetch(`${s.url}/`)).json(), [true, true, true]);
    } finally {
      await s.close();
    }
  });

  t('sessions() refuses a missing store and a name that is not a string when it is made', async () => {
    assert.throws(() => sessions({} as never), TypeError);
    assert.throws(() => sessions({ store: newStore(), name: 7 as never }), { name: 'TypeError', message: /options\.name must be a string/ });
  });
}

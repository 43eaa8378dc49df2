// cachet/hono on the real Hono 4, served on Node by @hono/node-server: the shared session suite
// through hono-harness.ts, then what the suite cannot see from its neutral routes (response
// kinds, immutable headers, c.res replaced, errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono, type Context } from 'hono';
import { CookieStore, Keyring, MemoryStore, generateKey, type Store } from '../../src/index.js';
import { csrf, csrfToken, sessions, type SessionEnv } from '../../src/adapters/hono/index.js';
import { Browser, setCookieFor } from '../session/harness.js';
import type { SuiteValues } from './harness.js';
import { honoHarness, listen, type Env } from './hono-harness.js';
import { sessionSuite } from './session-suite.js';
import { ipRecordingStore } from './suite-setup.js';

// The shared contract first (test/adapters/session-suite.ts), then what only this adapter does.
sessionSuite(honoHarness);

const keyring = await Keyring.create([generateKey('k1')]);
const COOKIE = '__Host-session';

/** A Hono app with sessions() first, routes added by `routes`, served on 127.0.0.1. */
async function serve(routes: (app: Hono<Env>) => void, store: Store<SuiteValues> = new CookieStore<SuiteValues>({ keyring })) {
  const app = new Hono<Env>();
  app.use(sessions({ store }));
  app.get('/count', (c) => c.json({ count: c.get('session').values.count ?? 0 }));
  routes(app);
  const mounted = await listen(app);
  return { ...mounted, browser: new Browser(mounted.url) };
}

test('a fetch() result, whose headers are immutable, is copied and keeps its status, headers, body and every cookie', async () => {
  const s = await serve((app) => {
    app.get('/immutable', async (c) => {
      c.get('session').values.count = 5;
      (await c.get('sessions')('other')).values.count = 7; // a second cookie: every one is appended to the copy
      // @hono/node-server swaps in its own Response class (whose headers are never frozen); a
      // fetch() result is still the platform's, with immutable headers, as in a proxying handler.
      const upstream = await fetch('data:text/x-upstream,from%20upstream');
      assert.throws(() => upstream.headers.append('x-probe', '1'), TypeError); // the premise
      return upstream;
    });
  });
  try {
    const reply = await s.browser.get('/immutable');
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'from upstream');
    assert.equal(setCookieFor(reply, COOKIE).length, 1);
    assert.equal(setCookieFor(reply, '__Host-other').length, 1, 'the second session is written too');
    const raw = await fetch(`${s.url}/immutable`);
    assert.equal(raw.headers.get('content-type'), 'text/x-upstream');
    assert.deepEqual((await s.browser.get('/count')).body, { count: 5 });
  } finally {
    await s.close();
  }
});

test('a middleware that replaces c.res after the handler keeps the session cookie', async () => {
  const s = await serve((app) => {
    app.use('/wrapped', async (c, next) => {
      await next();
      c.res = new Response(`wrapped: ${await c.res.text()}`, { headers: { 'x-wrapped': '1' } });
    });
    app.get('/wrapped', (c) => {
      c.get('session').values.count = 6;
      return c.text('inner');
    });
  });
  try {
    const reply = await s.browser.get('/wrapped');
    assert.equal(reply.body, 'wrapped: inner');
    assert.equal(setCookieFor(reply, COOKIE).length, 1);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 6 });
  } finally {
    await s.close();
  }
});

test("an error thrown in a handler goes to Hono's onError, and the session's changes are not written", async () => {
  const s = await serve((app) => {
    app.onError((err, c) => c.text(`handled: ${err.message}`, 418));
    app.get('/inc', (c) => {
      const session = c.get('session');
      session.values.count = (session.values.count ?? 0) + 1;
      return c.json({ count: session.values.count });
    });
    app.get('/fail', (c) => {
      c.get('session').values.count = 100;
      throw new Error('half-way through');
    });
  });
  try {
    await s.browser.get('/inc');
    const failed = await s.browser.get('/fail');
    assert.equal(failed.status, 418);
    assert.equal(failed.body, 'handled: half-way through');
    assert.deepEqual(setCookieFor(failed, COOKIE), []);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 1 });
  } finally {
    await s.close();
  }
});

test('a session that fails to commit gets the error page, without a cookie, and the server keeps serving', async () => {
  const s = await serve((app) => {
    app.get('/huge', (c) => {
      c.get('session').values.big = 'x'.repeat(6000); // over 4096 bytes, and chunking is off
      return c.text('ok');
    });
  });
  try {
    const reply = await s.browser.get('/huge');
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.setCookies, []);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 0 });
  } finally {
    await s.close();
  }
});

test('the ip option hands the client address to the store', async () => {
  const { store: recording, seen } = ipRecordingStore(new CookieStore<SuiteValues>({ keyring }));
  const app = new Hono<Env>();
  app.use(sessions({ store: recording, ip: (c: Context) => c.req.header('x-test-ip') })); // Hono's own Context type
  app.get('/', (c) => c.text('ok'));
  const m = await listen(app);
  try {
    await fetch(`${m.url}/`, { headers: { 'x-test-ip': '203.0.113.9' } });
    assert.deepEqual(seen, ['203.0.113.9']);
  } finally {
    await m.close();
  }
});

test("a server-side store's session list gets the user agent", async () => {
  const store = new MemoryStore<SuiteValues>({ keyring });
  const app = new Hono<Env>();
  app.use(sessions({ store }));
  app.get('/', (c) => {
    c.get('session').subject = 'u1';
    return c.text('ok');
  });
  const m = await listen(app);
  try {
    await fetch(`${m.url}/`, { headers: { 'user-agent': 'suite/1' } }).then((r) => r.text());
    const [listed] = await store.list('u1');
    assert.equal(listed?.userAgent, 'suite/1');
  } finally {
    await m.close();
  }
});

test("the name option picks the session c.get('session') holds", async () => {
  const app = new Hono<Env>();
  app.use(sessions({ store: new CookieStore<SuiteValues>({ keyring }), name: 'cart' }));
  app.get('/add', (c) => {
    c.get('session').values.count = 1;
    return c.text('ok');
  });
  const m = await listen(app);
  try {
    const reply = await new Browser(m.url).get('/add');
    assert.deepEqual(reply.setCookies.map((line) => line.slice(0, line.indexOf('='))), ['__Host-cart']);
  } finally {
    await m.close();
  }
});

test("c.get('session') is typed from SessionEnv (a type-level check)", () => {
  const app = new Hono<SessionEnv<{ count?: number }>>();
  app.get('/', (c) => {
    const count: number | undefined = c.get('session').values.count;
    // @ts-expect-error: count is a number, as SessionEnv<{ count?: number }> says
    const wrong: string | undefined = c.get('session').values.count;
    return c.json({ count: count ?? null, wrong: wrong ?? null });
  });
  assert.ok(app);
});

test('sessions() refuses a missing store and an unknown option when it is made', () => {
  assert.throws(() => sessions({} as never), TypeError);
  assert.throws(() => sessions({ store: new CookieStore({ keyring }), nmae: 'x' } as never), { code: 'ERR_OPTIONS_UNKNOWN' });
  assert.throws(() => csrf({ feild: 'x' } as never), { code: 'ERR_OPTIONS_UNKNOWN' });
});

async function csrfApp() {
  return serve((app) => {
    app.use(csrf());
    app.get('/token', (c) => c.json({ token: csrfToken(c) }));
    app.post('/inc', async (c) => {
      const form = c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded') ? await c.req.parseBody() : {};
      const session = c.get('session');
      session.values.count = (session.values.count ?? 0) + 1;
      return c.json({ count: session.values.count, a: form['a'] ?? null });
    });
  });
}

async function tokenOf(browser: Browser): Promise<string> {
  return ((await browser.get('/token')).body as { token: string }).token;
}

test('csrf() passes a post with the token in the header and refuses one without it', async () => {
  const s = await csrfApp();
  try {
    const token = await tokenOf(s.browser);
    const refused = await s.browser.request('/inc', { method: 'POST' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body, 'Forbidden: invalid CSRF token\n');
    const passed = await s.browser.request('/inc', { method: 'POST', headers: { 'x-csrf-token': token } });
    assert.deepEqual(passed.body, { count: 1, a: null });
  } finally {
    await s.close();
  }
});

test('csrf() reads the token from an urlencoded form, and the handler can parse the body again', async () => {
  const s = await csrfApp();
  try {
    const token = await tokenOf(s.browser);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const passed = await s.browser.request('/inc', { method: 'POST', headers: form, body: `a=1&_csrf=${token}` });
    assert.deepEqual(passed.body, { count: 1, a: '1' });
    const wrong = await s.browser.request('/inc', { method: 'POST', headers: form, body: `_csrf=${token.slice(1)}x` });
    assert.equal(wrong.status, 403);
  } finally {
    await s.close();
  }
});

test('csrf() refuses a cross-site post even with a valid token', async () => {
  const s = await csrfApp();
  try {
    const token = await tokenOf(s.browser);
    const refused = await s.browser.request('/inc', { method: 'POST', headers: { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body, 'Forbidden: cross-site request\n');
    const origin = await s.browser.request('/inc', { method: 'POST', headers: { 'x-csrf-token': token, origin: 'https://evil.example' } });
    assert.equal(origin.body, 'Forbidden: cross-site request\n');
  } finally {
    await s.close();
  }
});

test("an app's onError sees a CSRF refusal as an error with status 403 and its code", async () => {
  const s = await serve((app) => {
    app.onError((err, c) => {
      const refusal = err as Error & { status?: number; code?: string };
      return c.text(`status ${refusal.status} ${refusal.code}`, 403);
    });
    app.use(csrf());
    app.post('/x', (c) => c.text('reached'));
  });
  try {
    const refused = await s.browser.request('/x', { method: 'POST' });
    assert.equal(refused.body, 'status 403 ERR_CSRF_BAD_TOKEN');
  } finally {
    await s.close();
  }
});

test('csrf() and csrfToken(c) without sessions() fail loudly rather than letting the post through', async () => {
  const app = new Hono<Env>();
  app.use(csrf());
  app.get('/token', (c) => c.text(csrfToken(c)));
  app.post('/x', (c) => c.text('reached'));
  const m = await listen(app);
  try {
    assert.equal((await fetch(`${m.url}/x`, { method: 'POST' })).status, 500);
    assert.equal((await fetch(`${m.url}/token`)).status, 500);
  } finally {
    await m.close();
  }
});

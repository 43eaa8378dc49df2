import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createApp } from '../../src/http/app.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import type { SessionContext } from '../../src/session/core/types.js';
import { SessionError } from '../../src/errors.js';
import { Browser, setCookieFor } from '../session/harness.js';
import { start } from './helpers.js';

type Values = { n?: number; by?: string[]; user?: string };
const key = generateKey('shared');
const keyring = await Keyring.create([key]);

function appWith(store: CookieStore<Values>) {
  const app = createApp({ accessLog: false, logger: { error: () => {} } });
  app.get('/inc', async (ctx) => {
    const sessionCtx: SessionContext = ctx; // the http Context satisfies the session layer's interface
    const session = await store.get(sessionCtx, 'session');
    session.values.n = (session.values.n ?? 0) + 1;
    (session.values.by ??= []).push('parent');
    ctx.json(session.values);
  });
  app.get('/read', async (ctx) => ctx.json((await store.get(ctx, 'session')).values));
  app.post('/login', async (ctx) => {
    const session = await store.get(ctx, 'session');
    session.regenerate();
    session.values.user = 'alice';
    session.addFlash('welcome');
    ctx.redirect('/home'); // no save(): the cookie must still be on this 303
  });
  app.get('/home', async (ctx) => {
    const session = await store.get(ctx, 'session');
    ctx.json({ user: session.values.user ?? null, flashes: session.flashes() });
  });
  return app;
}

test('auto-commit writes the session onto a redirect, and the next page sees it', async () => {
  const s = await start(appWith(new CookieStore<Values>({ keyring })));
  try {
    const browser = new Browser(`http://127.0.0.1:${s.port}`);
    const login = await browser.request('/login', { method: 'POST' });
    assert.equal(login.status, 303);
    assert.equal(setCookieFor(login, '__Host-session').length, 1);
    assert.deepEqual((await browser.get('/home')).body, { user: 'alice', flashes: ['welcome'] });
    assert.deepEqual((await browser.get('/home')).body, { user: 'alice', flashes: [] });
  } finally {
    await s.close();
  }
});

test('an unchanged session sends no Set-Cookie through the app', async () => {
  const s = await start(appWith(new CookieStore<Values>({ keyring })));
  try {
    const browser = new Browser(`http://127.0.0.1:${s.port}`);
    await browser.get('/inc');
    const r = await browser.get('/read');
    assert.deepEqual(r.setCookies, []);
    assert.deepEqual(r.body, { n: 1, by: ['parent'] });
  } finally {
    await s.close();
  }
});

test('two server processes sharing one keyring accept each other\'s cookies', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/session-server.ts', import.meta.url).pathname], {
    env: { ...process.env, CACHET_TEST_KEY: JSON.stringify(key) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const s = await start(appWith(new CookieStore<Values>({ keyring })));
  try {
    const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
    const parent = new Browser(`http://127.0.0.1:${s.port}`);
    const other = new Browser(`http://127.0.0.1:${Number(line)}`);
    await parent.get('/inc');
    for (const [name, value] of parent.jar) other.jar.set(name, value);
    assert.deepEqual((await other.get('/inc')).body, { n: 2, by: ['parent', 'child'] });
    for (const [name, value] of other.jar) parent.jar.set(name, value);
    assert.deepEqual((await parent.get('/inc')).body, { n: 3, by: ['parent', 'child', 'parent'] });
  } finally {
    child.kill();
    await s.close();
  }
});

test('an app that catches ERR_SESSION_TOO_LARGE and answers 413 keeps its 413, and the previous cookie stays valid', async () => {
  const store = new CookieStore<Values>({ keyring });
  const app = appWith(store);
  app.get('/grow', async (ctx) => {
    const session = await store.get(ctx, 'session');
    session.values.user = 'x'.repeat(5000);
    try {
      await session.save();
    } catch (err) {
      if (err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE') return ctx.text('too large', 413);
      throw err;
    }
    ctx.text('saved');
  });
  const s = await start(app);
  try {
    const browser = new Browser(`http://127.0.0.1:${s.port}`);
    await browser.get('/inc');
    const before = browser.jar.get('__Host-session');
    const r = await browser.get('/grow');
    assert.equal(r.status, 413, 'not turned into a 500 by the auto-commit trying the same write again');
    assert.equal(r.body, 'too large');
    assert.deepEqual(r.setCookies, [], 'the cookie is neither replaced nor deleted');
    assert.equal(browser.jar.get('__Host-session'), before);
    assert.deepEqual((await browser.get('/read')).body, { n: 1, by: ['parent'] });
  } finally {
    await s.close();
  }
});

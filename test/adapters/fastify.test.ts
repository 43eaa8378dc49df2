// cachet/fastify on the real Fastify 5: the shared session suite through fastify-harness.ts, then
// what the suite cannot see from its neutral routes (reply kinds, Fastify's error handler,
// encapsulation, the plugin's registration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { CookieStore, Keyring, generateKey, type Store } from '../../src/index.js';
import { csrf, sessions } from '../../src/adapters/fastify/index.js';
import { Browser, setCookieFor, type Reply } from '../session/harness.js';
import type { SuiteValues } from './harness.js';
import { fastifyHarness, listen, parseForms } from './fastify-harness.js';
import { sessionSuite } from './session-suite.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { holdCalls } from '../session/held-call.js';
import { ipRecordingStore } from './suite-setup.js';

// The shared contract first (test/adapters/session-suite.ts), then what only this adapter does.
sessionSuite(fastifyHarness);

const keyring = await Keyring.create([generateKey('k1')]);
const COOKIE = '__Host-session';

function newStore(): CookieStore<SuiteValues> {
  return new CookieStore<SuiteValues>({ keyring });
}

/** A Fastify app with the plugin at the root, routes added by `routes`, served on 127.0.0.1. */
async function serve(routes: (app: FastifyInstance) => void | Promise<void>, store: Store<SuiteValues> = newStore()) {
  const app = Fastify();
  await app.register(sessions, { store });
  await routes(app);
  const mounted = await listen(app);
  return { ...mounted, browser: new Browser(mounted.url) };
}

function count(app: FastifyInstance): void {
  app.get('/count', async (request) => ({ count: request.session.values.count ?? 0 }));
}

test('a Buffer reply and an object reply both carry the session cookie', async () => {
  const s = await serve((app) => {
    count(app);
    app.get('/buffer', async (request, reply) => {
      request.session.values.count = 3;
      return reply.type('application/octet-stream').send(Buffer.from('bytes'));
    });
    app.get('/object', async (request) => {
      request.session.values.count = 4;
      return { ok: true };
    });
  });
  try {
    const buffer = await s.browser.get('/buffer');
    assert.equal(buffer.body, 'bytes');
    assert.equal(setCookieFor(buffer, COOKIE).length, 1);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 3 });
    const object = await s.browser.get('/object');
    assert.deepEqual(object.body, { ok: true });
    assert.equal(setCookieFor(object, COOKIE).length, 1);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 4 });
  } finally {
    await s.close();
  }
});

test("an app's own error handler answers a thrown error, and no session cookie goes with it", async () => {
  const s = await serve((app) => {
    app.setErrorHandler(async (error, request, reply) => {
      request.session.values.count = 55; // too late: the request failed
      return reply.code(418).type('text/plain').send(`handled: ${(error as Error).message}`);
    });
    count(app);
    app.get('/fail', async () => {
      throw new Error('boom');
    });
  });
  try {
    const failed = await s.browser.get('/fail');
    assert.equal(failed.status, 418);
    assert.equal(failed.body, 'handled: boom');
    assert.deepEqual(failed.setCookies, []);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 0 });
  } finally {
    await s.close();
  }
});

test('a route in an encapsulated child plugin has the session of a plugin registered at the root', async () => {
  const s = await serve(async (app) => {
    count(app);
    await app.register(
      async (child) => {
        child.get('/inc', async (request) => {
          request.session.values.count = (request.session.values.count ?? 0) + 1;
          return { count: request.session.values.count };
        });
      },
      { prefix: '/child' },
    );
  });
  try {
    assert.deepEqual((await s.browser.get('/child/inc')).body, { count: 1 });
    assert.deepEqual((await s.browser.get('/child/inc')).body, { count: 2 });
    assert.deepEqual((await s.browser.get('/count')).body, { count: 2 });
  } finally {
    await s.close();
  }
});

test('registered inside a child plugin, the sessions cover that child and leave its siblings alone', async () => {
  const app = Fastify();
  await app.register(async (child) => {
    await child.register(sessions, { store: newStore() });
    child.get('/inside', async (request) => ({ has: request.session !== null }));
  });
  app.get('/outside', async (request) => ({ has: (request as { session?: unknown }).session !== undefined }));
  const m = await listen(app);
  try {
    const browser = new Browser(m.url);
    assert.deepEqual((await browser.get('/inside')).body, { has: true });
    assert.deepEqual((await browser.get('/outside')).body, { has: false });
  } finally {
    await m.close();
  }
});

test('a session that fails to commit gets the error page, without a cookie, and the server keeps serving', async () => {
  const s = await serve((app) => {
    count(app);
    app.get('/huge', async (request) => {
      request.session.values.big = 'x'.repeat(6000); // over 4096 bytes, and chunking is off
      return { ok: true };
    });
  });
  try {
    const reply = await s.browser.get('/huge');
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.setCookies, []);
    // Fastify sends an error's message: the generic one, not the store's (the cookie's name and size).
    assert.equal((reply.body as { message?: unknown }).message, 'Internal Server Error');
    assert.doesNotMatch(JSON.stringify(reply.body), /__Host-session|bytes|4096/);
    assert.deepEqual((await s.browser.get('/count')).body, { count: 0 });
  } finally {
    await s.close();
  }
});

test("the store sees Fastify's request.ip as the client address", async () => {
  const { store: recording, seen } = ipRecordingStore(newStore());
  const s = await serve((app) => count(app), recording);
  try {
    await s.browser.get('/count');
    assert.deepEqual(seen, ['127.0.0.1']);
  } finally {
    await s.close();
  }
});

test('the name option picks the session request.session holds', async () => {
  const app = Fastify();
  await app.register(sessions, { store: newStore(), name: 'cart' });
  app.get('/add', async (request) => {
    request.session.values.count = 1;
    return { ok: true };
  });
  const m = await listen(app);
  try {
    const reply = await new Browser(m.url).get('/add');
    assert.deepEqual(reply.setCookies.map((line) => line.slice(0, line.indexOf('='))), ['__Host-cart']);
  } finally {
    await m.close();
  }
});

test("request.session is typed from the app's declaration (a type-level check)", () => {
  const app = Fastify();
  app.get('/', async (request) => {
    const count: number | undefined = request.session.values.count;
    // @ts-expect-error: count is a number, as SessionRequest<SuiteValues> says
    const wrong: string | undefined = request.session.values.count;
    return { count, wrong };
  });
  assert.ok(app);
});

test('a commit that fails after an await gets the error page, without a cookie', async () => {
  const inner = newStore();
  const failing: Store<SuiteValues> = {
    get: async (ctx, name) => {
      const session = await inner.get(ctx, name);
      ctx.onBeforeSend(() => Promise.reject(new Error('the write failed'))); // as a server-side store whose save fails
      return session;
    },
    save: (ctx, session) => inner.save(ctx, session),
    destroy: (ctx, session) => inner.destroy(ctx, session),
  };
  const s = await serve((app) => {
    app.get('/inc', async (request) => {
      request.session.values.count = 1;
      return { ok: true };
    });
  }, failing);
  try {
    const reply = await s.browser.get('/inc');
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.setCookies, []);
  } finally {
    await s.close();
  }
});

test('once a request has failed, request.sessions() rejects instead of staging a cookie nobody sends', async () => {
  let seen: unknown;
  const s = await serve((app) => {
    app.setErrorHandler(async (_error, request, reply) => {
      seen = await request.sessions('other').then(() => 'loaded', (err: Error) => err.message);
      return reply.code(500).send('failed');
    });
    app.get('/fail', async () => {
      throw new Error('boom');
    });
  });
  try {
    await s.browser.get('/fail');
    assert.match(String(seen), /no session scope/);
  } finally {
    await s.close();
  }
});

test('the plugin refuses a missing store and an unknown option at registration', async () => {
  // register() returns Fastify's own thenable, not a Promise: awaited inside a function.
  await assert.rejects(async () => await Fastify().register(sessions, {} as never), TypeError);
  await assert.rejects(async () => await Fastify().register(sessions, { store: newStore(), nmae: 'x' } as never), {
    code: 'ERR_OPTIONS_UNKNOWN',
    message: 'sessions: unknown option "nmae" (did you mean "name"?); valid options: store, name',
  });
  // Fastify's own register options are not the plugin's to refuse.
  await Fastify().register(sessions, { store: newStore(), prefix: '/v1', logLevel: 'warn' } as never);
});

test('a second registration on the same instance fails at registration, without ending the process', async () => {
  const app = Fastify();
  await app.register(sessions, { store: newStore() });
  await assert.rejects(async () => await app.register(sessions, { store: newStore(), name: 'other' }), { code: 'FST_ERR_DEC_ALREADY_PRESENT' });
});

async function csrfApp(withParser: boolean) {
  return serve((app) => {
    if (withParser) parseForms(app);
    app.addHook('preHandler', csrf());
    app.get('/token', async (request) => ({ token: request.csrfToken() }));
    app.post('/inc', async (request) => {
      request.session.values.count = (request.session.values.count ?? 0) + 1;
      return { count: request.session.values.count };
    });
  });
}

async function tokenOf(browser: Browser): Promise<string> {
  return ((await browser.get('/token')).body as { token: string }).token;
}

function errorCode(reply: Reply): unknown {
  return (reply.body as { code?: unknown }).code;
}

test('csrf() passes a post with the token in the header and refuses one without it', async () => {
  const s = await csrfApp(false);
  try {
    const token = await tokenOf(s.browser);
    const refused = await s.browser.request('/inc', { method: 'POST' });
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), 'ERR_CSRF_BAD_TOKEN');
    const passed = await s.browser.request('/inc', { method: 'POST', headers: { 'x-csrf-token': token } });
    assert.deepEqual(passed.body, { count: 1 });
  } finally {
    await s.close();
  }
});

test('csrf() reads the token from a form body that a content-type parser parsed', async () => {
  const s = await csrfApp(true);
  try {
    const token = await tokenOf(s.browser);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const passed = await s.browser.request('/inc', { method: 'POST', headers: form, body: `a=1&_csrf=${token}` });
    assert.deepEqual(passed.body, { count: 1 });
    const wrong = await s.browser.request('/inc', { method: 'POST', headers: form, body: `_csrf=${token.slice(1)}x` });
    assert.equal(wrong.status, 403);
    assert.equal(errorCode(wrong), 'ERR_CSRF_BAD_TOKEN');
  } finally {
    await s.close();
  }
});

test('csrf() reads the token from a body a parser left as the raw string, and never from a JSON body', async () => {
  const s = await serve((app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, JSON.parse(body as string)));
    app.addHook('preHandler', csrf());
    app.get('/token', async (request) => ({ token: request.csrfToken() }));
    app.post('/inc', async () => ({ ok: true }));
  });
  try {
    const token = await tokenOf(s.browser);
    const raw = await s.browser.request('/inc', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${token}` });
    assert.deepEqual(raw.body, { ok: true });
    // A JSON body is never a form: its _csrf is not looked at, whatever it holds.
    const json = await s.browser.request('/inc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ _csrf: token }) });
    assert.equal(json.status, 403);
  } finally {
    await s.close();
  }
});

test('csrf() takes only a string field: a repeated _csrf parsed into an array is refused', async () => {
  const s = await serve((app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, { _csrf: new URLSearchParams(body as string).getAll('_csrf') }); // as qs-style parsers do
    });
    app.addHook('preHandler', csrf());
    app.get('/token', async (request) => ({ token: request.csrfToken() }));
    app.post('/inc', async () => ({ ok: true }));
  });
  try {
    const token = await tokenOf(s.browser);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const repeated = await s.browser.request('/inc', { method: 'POST', headers: form, body: `_csrf=${token}&_csrf=${token}` });
    assert.equal(repeated.status, 403);
    assert.equal(errorCode(repeated), 'ERR_CSRF_BAD_TOKEN');
  } finally {
    await s.close();
  }
});

test('csrf() refuses a cross-site post even with a valid token', async () => {
  const s = await csrfApp(false);
  try {
    const token = await tokenOf(s.browser);
    const refused = await s.browser.request('/inc', { method: 'POST', headers: { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' } });
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), 'ERR_CSRF_CROSS_SITE');
    const origin = await s.browser.request('/inc', { method: 'POST', headers: { 'x-csrf-token': token, origin: 'https://evil.example' } });
    assert.equal(errorCode(origin), 'ERR_CSRF_CROSS_SITE');
  } finally {
    await s.close();
  }
});

test('csrf() without the sessions plugin fails loudly rather than letting the post through', async () => {
  const app = Fastify();
  app.addHook('preHandler', csrf());
  app.post('/x', async () => ({ reached: true }));
  const m = await listen(app);
  try {
    const res = await fetch(`${m.url}/x`, { method: 'POST' });
    assert.equal(res.status, 500);
  } finally {
    await m.close();
  }
});

test('a destroy() that lands while onSend seals, after reply.send() in an async handler, deletes the cookie instead of being undone by the seal', async () => {
  let held: ReturnType<typeof holdCalls> | undefined;
  let loggedOut!: () => void;
  const done = new Promise<void>((resolve) => { loggedOut = resolve; });
  const s = await serve((app) => {
    count(app);
    app.get('/login', async (request) => {
      request.session.values.count = 1;
      return { ok: true };
    });
    app.get('/logout', async (request, reply) => {
      request.session.values.count = 2; // so the commit in onSend has something to seal
      held = holdCalls(CookieCodec.prototype, 'encodeJson');
      void reply.redirect('/'); // onSend begins the seal
      await held.started;
      await request.session.destroy(); // the logout, after the reply as some handlers write it
      held.release();
      loggedOut();
      return reply;
    });
  });
  try {
    await s.browser.get('/login');
    assert.equal(s.browser.jar.has(COOKIE), true);
    const out = await s.browser.get('/logout');
    await done;
    assert.equal(out.status, 302);
    assert.equal(s.browser.jar.has(COOKIE), false, 'the deletion went out, not the session sealed before the logout');
    assert.deepEqual((await s.browser.get('/count')).body, { count: 0 });
  } finally {
    held?.restore();
    await s.close();
  }
});

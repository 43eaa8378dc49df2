// The shared session suite (issue #16): one set of behaviours, run over real HTTP against cachet's
// own createApp and against every adapter on its real framework. Each test starts its own server
// through the harness, with a store the suite made (so the suite owns its clock and its keyring),
// and talks to it with a cookie jar kept by hand (cookie-jar.ts). The CSRF half is csrf-suite.ts.
//
// Usage, in test/adapters/<server>.test.ts:  sessionSuite({ name: 'express 5', start })
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SessionError, type Store } from '../../src/index.js';
import type { Harness, SuiteValues } from './harness.js';
import { setCookiesFor } from './cookie-jar.js';
import { csrfSuite } from './csrf-suite.js';
import { ABSOLUTE, ACTIONS, COOKIE, IDLE, PREFS_COOKIE, STORE_KINDS, STREAM_CHUNKS, T0, makeStore, mount, ok, ringB, ringBA, type View } from './suite-setup.js';

/** `value` with one character near its middle changed to another base64url character. */
function flipped(value: string): string {
  for (let i = value.length >> 1; i < value.length; i++) {
    const c = value[i] as string;
    if (/[A-Za-z0-9]/.test(c)) return value.slice(0, i) + (c === 'A' ? 'B' : 'A') + value.slice(i + 1);
  }
  throw new Error(`no base64url character to flip in ${value}`);
}

/**
 * Registers the shared session suite (and the CSRF suite) for `harness`, every title prefixed
 * with the harness name.
 */
export function sessionSuite(harness: Harness): void {
  const it = (title: string, fn: (t: TestContext) => Promise<void>) => test(`${harness.name}: ${title}`, fn);

  for (const kind of STORE_KINDS) {
    it(`${kind}: a changed session sends Set-Cookie, and the next request sees the change`, async (t) => {
      const { client } = await mount(t, harness, kind);
      const first = await client.get('/a/inc');
      assert.equal(ok(first).count, 1);
      assert.equal(setCookiesFor(first, COOKIE).length, 1);
      assert.equal(ok(await client.get('/a/inc')).count, 2);
      assert.equal(ok(await client.get('/a/read')).count, 2);
    });

    it(`${kind}: a session that is only read sends no Set-Cookie`, async (t) => {
      const { client } = await mount(t, harness, kind);
      const fresh = await client.get('/a/read');
      assert.equal(ok(fresh).isNew, true);
      assert.deepEqual(fresh.setCookies, [], 'an untouched new session is not written');
      await client.get('/a/inc');
      const read = await client.get('/a/read');
      assert.equal(ok(read).count, 1);
      assert.deepEqual(read.setCookies, []);
    });

    it(`${kind}: the commit lands on a redirect, and a flash is shown once`, async (t) => {
      const { client, url } = await mount(t, harness, kind);
      const login = await client.post('/a/login?user=ada');
      assert.equal(login.status, 302);
      assert.equal(new URL(login.headers.get('location') ?? '', url).href, `${url}/a/home`, 'Location may be relative or absolute');
      assert.equal(setCookiesFor(login, COOKIE).length, 1, 'the session is sealed before the redirect goes out');
      assert.deepEqual((await client.get('/a/home')).body, { user: 'ada', count: null, flashes: ['welcome'] });
      assert.deepEqual((await client.get('/a/home')).body, { user: 'ada', count: null, flashes: [] });
    });

    it(`${kind}: the commit lands on a response that is not a 200`, async (t) => {
      const { client } = await mount(t, harness, kind);
      const reply = await client.get('/a/teapot');
      assert.equal(reply.status, 418);
      assert.equal(reply.body, 'short and stout');
      assert.equal(setCookiesFor(reply, COOKIE).length, 1);
      assert.equal(ok(await client.get('/a/read')).count, 1);
    });

    it(`${kind}: a route that throws gets the framework's 500, and its session change is not written`, async (t) => {
      const { client } = await mount(t, harness, kind);
      await client.get('/a/inc');
      const failed = await client.get('/a/fail');
      assert.equal(failed.status, 500);
      assert.deepEqual(setCookiesFor(failed, COOKIE), [], 'as on createApp: an error page carries no session');
      assert.equal(ok(await client.get('/a/read')).count, 1);
    });

    it(`${kind}: regenerate gives a new id and keeps the values`, async (t) => {
      const { client } = await mount(t, harness, kind);
      const before = ok(await client.get('/a/inc'));
      const stolen = client.copy();
      await client.post('/a/login');
      const after = ok(await client.get('/a/read'));
      assert.notEqual(after.id, before.id);
      assert.equal(after.count, 1);
      assert.equal(after.user, 'alice');
      if (kind === 'memory') {
        // A server-side store deletes the old record: the cookie seen before the login is worthless.
        // (A cookie store cannot recall a cookie it already handed out: docs/sessions.md.)
        const replay = ok(await stolen.get('/a/read'));
        assert.equal(replay.isNew, true);
        assert.equal(replay.count, null);
      }
    });

    it(`${kind}: an idle session times out on the store's clock, and each renewal slides the idle limit`, async (t) => {
      const { client, tick } = await mount(t, harness, kind);
      await client.get('/a/inc');
      tick(IDLE - 100);
      const renewed = await client.get('/a/read');
      assert.equal(ok(renewed).count, 1);
      assert.equal(setCookiesFor(renewed, COOKIE).length, 1, 'a read past the renewal point re-writes the cookie');
      tick(IDLE - 100); // past the first write's idle limit, inside the renewed one
      assert.equal(ok(await client.get('/a/read')).count, 1);
      tick(IDLE + 1);
      const expired = ok(await client.get('/a/read'));
      assert.equal(expired.isNew, true);
      assert.equal(expired.count, null);
    });

    it(`${kind}: the absolute timeout ends a session however busy it is`, async (t) => {
      const { client, tick } = await mount(t, harness, kind);
      await client.get('/a/inc');
      for (let i = 0; i < 3; i++) {
        tick(IDLE - 100);
        await client.get('/a/inc');
      }
      assert.equal(ok(await client.get('/a/read')).count, 4, 'alive at 1500 s');
      tick(ABSOLUTE - 3 * (IDLE - 100) + 1);
      const ended = ok(await client.get('/a/read'));
      assert.equal(ended.isNew, true);
      assert.equal(ended.count, null);
    });

    it(`${kind}: a tampered, truncated, oversized or garbage cookie gives a fresh session and a 200`, async (t) => {
      const { client } = await mount(t, harness, kind);
      await client.get('/a/inc');
      const good = client.jar.get(COOKIE) ?? '';
      const bad = {
        tampered: flipped(good),
        truncated: good.slice(0, good.length >> 1),
        'cut by one': good.slice(0, -1),
        oversized: 'A'.repeat(6000),
        garbage: '!#$%&()*+-./:<>?@[]^_`{|}~',
        'bad percent': '%zz%',
        empty: '',
        'two values': `${good}; ${COOKIE}=x`,
      };
      for (const [what, value] of Object.entries(bad)) {
        const read = await client.get('/a/read', { cookie: `${COOKIE}=${value}` });
        assert.equal(read.status, 200, `${what}: ${read.status} ${JSON.stringify(read.body)}`);
        assert.equal((read.body as View).isNew, what !== 'two values', `${what}: the first of two values is the good one`);
        if (what === 'two values') continue;
        const inc = await client.get('/a/inc', { cookie: `${COOKIE}=${value}` });
        assert.equal(ok(inc).count, 1, `${what}: a fresh session starts`);
        assert.equal(setCookiesFor(inc, COOKIE).length, 1, `${what}: and replaces the bad cookie`);
      }
      assert.equal(ok(await client.get('/a/read', { cookie: `${COOKIE}=${good}` })).count, 1, 'the good cookie still opens, unchanged');
    });

    it(`${kind}: after a key rotation an old cookie opens and is re-sealed under the new primary`, async (t) => {
      const { client, store } = await mount(t, harness, kind);
      await client.get('/a/inc');
      const old = client.copy();
      store.keyring = ringBA;
      const read = await client.get('/a/read');
      assert.equal(ok(read).count, 1);
      assert.equal(setCookiesFor(read, COOKIE).length, 1, 're-sealed on this response');
      store.keyring = ringB; // the old key retired: only the re-sealed cookie still opens
      assert.equal(ok(await client.get('/a/read')).count, 1);
      assert.equal(ok(await old.get('/a/read')).isNew, true, 'the cookie sealed under the retired key is refused');
    });

    it(`${kind}: destroy deletes the cookie, and the session is gone`, async (t) => {
      const { client } = await mount(t, harness, kind);
      await client.get('/a/inc');
      const stolen = client.copy();
      const gone = await client.post('/a/destroy');
      assert.equal(gone.status, 200);
      const deletion = setCookiesFor(gone, COOKIE);
      assert.equal(deletion.length, 1);
      assert.match(deletion[0] as string, /; Max-Age=0/);
      assert.equal(client.jar.size, 0);
      assert.equal(ok(await client.get('/a/read')).isNew, true);
      if (kind === 'memory') assert.equal(ok(await stolen.get('/a/read')).isNew, true, 'the record is deleted too');
    });

    it(`${kind}: a streamed body carries the session cookie with its headers, and every chunk`, async (t) => {
      if (harness.cannotStream !== undefined) return t.skip(harness.cannotStream);
      const { client } = await mount(t, harness, kind);
      const streamed = await client.get('/a/stream');
      assert.equal(streamed.status, 200);
      assert.equal(streamed.body, STREAM_CHUNKS.join(''), 'the whole body, in order');
      assert.equal(setCookiesFor(streamed, COOKIE).length, 1, 'the sealed cookie went out before the first chunk');
      assert.equal(ok(await client.get('/a/read')).count, 1);
    });

    it(`${kind}: a cookie the route sets itself goes out next to the session's`, async (t) => {
      const { client } = await mount(t, harness, kind);
      const reply = await client.get('/a/theme?theme=dark');
      assert.equal(ok(reply).count, 1);
      assert.equal(setCookiesFor(reply, COOKIE).length, 1);
      assert.equal(setCookiesFor(reply, 'theme').length, 1, `the app's cookie is kept: ${JSON.stringify(reply.setCookies)}`);
      assert.equal(client.jar.get('theme'), 'dark');
      assert.equal(ok(await client.get('/a/read')).count, 1);
    });

    it(`${kind}: another session loaded by name through the adapter commits on the same response as the first`, async (t) => {
      const { client } = await mount(t, harness, kind);
      const first = await client.get('/a/both');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { main: 1, prefs: 10 });
      assert.equal(setCookiesFor(first, COOKIE).length, 1);
      assert.equal(setCookiesFor(first, PREFS_COOKIE).length, 1);
      assert.deepEqual((await client.get('/a/both')).body, { main: 2, prefs: 20 }, 'both came back with the next request');
    });
  }

  for (const kind of ['sealed', 'signed'] as const) {
    it(`${kind}: a session bigger than one cookie round-trips in chunks, and shrinking deletes the stale chunks`, async (t) => {
      const { client } = await mount(t, harness, kind, { chunking: true });
      assert.equal(ok(await client.get('/a/big?size=6000')).big, 6000);
      const names = [...client.jar.keys()].sort();
      assert.ok(names.length >= 2, `several chunks: ${names.join(', ')}`);
      assert.deepEqual(names, names.map((_, i) => `${COOKIE}.${i}`), 'chunks only, numbered from 0');
      const read = await client.get('/a/read');
      assert.equal(ok(read).big, 6000);
      assert.deepEqual(read.setCookies, []);
      const small = await client.get('/a/big?size=0');
      assert.equal(ok(small).big, null);
      assert.deepEqual([...client.jar.keys()], [COOKIE], 'the chunks are deleted');
      assert.equal(ok(await client.get('/a/inc')).count, 1);
      assert.deepEqual([...client.jar.keys()], [COOKIE]);
    });
  }

  it("a store that cannot be reached, loading or saving, answers 503 with Retry-After; the store's own bug, the framework's 500", async (t) => {
    const down = () => new SessionError('ERR_STORE_UNAVAILABLE', 'internal', 'store down at 10.0.0.7');
    const inner = makeStore('sealed', () => T0);
    const noop = () => Promise.resolve();
    const cases: { what: string; store: Store<SuiteValues>; status: number; retryAfter: string | null }[] = [
      { what: 'load, unavailable', store: { get: () => Promise.reject(down()), save: noop, destroy: noop }, status: 503, retryAfter: '5' },
      { what: 'load, a bug', store: { get: () => Promise.reject(new Error('a bug in the store at 10.0.0.7')), save: noop, destroy: noop }, status: 500, retryAfter: null },
      {
        // Loads, then fails at the commit, as a server-side store does when its write cannot land.
        what: 'save, unavailable',
        store: {
          get: (ctx, name) => {
            ctx.onBeforeSend(() => Promise.reject(down()));
            return inner.get(ctx, name);
          },
          save: noop,
          destroy: noop,
        },
        status: 503,
        retryAfter: '5',
      },
    ];
    for (const { what, store, status, retryAfter } of cases) {
      const mounted = await harness.start({ store, actions: ACTIONS, csrf: false });
      t.after(() => mounted.close());
      const res = await fetch(`${mounted.url}/a/inc`);
      const body = await res.text();
      assert.equal(res.status, status, what);
      assert.equal(res.headers.get('retry-after'), retryAfter, what);
      assert.deepEqual(res.headers.getSetCookie(), [], `${what}: no session cookie`);
      // cachet's 503 names no store; a 500's page is the framework's own (Express shows the stack
      // outside production, Fastify the message), as for any error a route throws.
      if (status === 503) assert.ok(!body.includes('10.0.0.7'), `${what}: the store's message stays out of the page: ${body.slice(0, 200)}`);
    }
  });

  csrfSuite(harness);
}

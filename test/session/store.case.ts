// The shared store suite: every Store implementation (CookieStore, MemoryStore, FileStore,
// RedisStore) runs these cases over real HTTP with a fixed clock. Call `runStoreCases` from a
// *.test.ts file with a factory. A store that cannot honour a case says so with a capability flag.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodeErrorCode } from '../../src/errors.js';
import { SessionTooLargeError } from '../../src/session/core/session-too-large-error.js';
import type { Store } from '../../src/session/core/types.js';
import type { SessionStoreOptions } from '../../src/session/core/store-options.js';
import { Browser, serve, setCookieFor, type HarnessContext } from './harness.js';

/** Values used by the suite. */
export type CaseValues = { n?: number; user?: string; big?: string; cart?: number[] };

/**
 * What the suite passes to a factory: apply all of it (plus your own keyring, client, directory...).
 * `maxDataBytes` is passed to server-side stores only.
 */
export type CaseStoreOptions = SessionStoreOptions & { now: () => number; maxDataBytes?: number };

export interface StoreCaseConfig {
  /** Shown in the test titles. */
  name: string;
  /** Builds a fresh store for one test. */
  create: (options: CaseStoreOptions) => Store<CaseValues> | Promise<Store<CaseValues>>;
  /** Called after each test (close clients, remove directories). */
  cleanup?: () => void | Promise<void>;
  /** True when data lives server-side: destroy/regenerate must make the old cookie worthless. */
  serverSide?: boolean;
}

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const COOKIE = '__Host-session';

/** Called by `/inc-held` once its session is loaded and changed (`/read-held`: loaded); the response waits for it. */
type Pause = () => Promise<void>;

async function handle(ctx: HarnessContext, store: Store<CaseValues>, pause: Pause): Promise<unknown> {
  const q = ctx.url.searchParams;
  const session = await store.get(ctx, 'session');
  const view = () => ({ isNew: session.isNew, id: session.id, values: session.values, subject: session.subject ?? null, createdAt: session.createdAt });
  switch (ctx.url.pathname) {
    case '/read': return view();
    case '/inc': session.values.n = (session.values.n ?? 0) + 1; return view();
    case '/inc-held': session.values.n = (session.values.n ?? 0) + 1; await pause(); return view();
    case '/read-held': await pause(); return view();
    case '/push': (session.values.cart ??= []).push(Number(q.get('x'))); return view();
    case '/flash': session.addFlash(q.get('msg') ?? ''); return view();
    case '/flashes': return session.flashes();
    case '/login':
      session.regenerate();
      session.subject = q.get('user') ?? 'u';
      session.values.user = session.subject;
      return view();
    case '/regenerate': session.regenerate(); return view();
    case '/destroy': await session.destroy(); return view();
    case '/same': return (await store.get(ctx, 'session')) === session;
    case '/two': {
      const other = await store.get(ctx, 'other');
      session.values.n = 1;
      other.values.n = 2;
      return null;
    }
    case '/read-two': return [session.values.n ?? null, (await store.get(ctx, 'other')).values.n ?? null];
    case '/save': await session.save(); return view();
    case '/inc-save': session.values.n = (session.values.n ?? 0) + 1; await session.save(); return view();
    case '/inc-save-destroy': session.values.n = (session.values.n ?? 0) + 1; await session.save(); await session.destroy(); return view();
    // Sets `big` to `text` repeated `times`, then saves; a refusal is caught and answered, the
    // value left in place (the auto-commit must not write it either).
    case '/big-save':
      session.values.big = (q.get('text') ?? 'x').repeat(Number(q.get('times') ?? '1'));
      try {
        await session.save();
      } catch (err) {
        if (!(err instanceof SessionTooLargeError)) throw err;
        return { code: err.code, size: err.size, limit: err.limit, message: err.message };
      }
      return view();
    case '/big-auto': session.values.big = 'x'.repeat(Number(q.get('times') ?? '1')); return view();
    default: return null;
  }
}

/** Registers the shared cases for one store. */
export function runStoreCases(config: StoreCaseConfig): void {
  describe(`Store contract: ${config.name}`, () => {
    let clock = T0;
    let decodeErrors: DecodeErrorCode[] = [];
    let server: Awaited<ReturnType<typeof serve>>;
    let browser: Browser;
    let extra: Partial<Omit<CaseStoreOptions, 'now'>> = {};
    let pause: Pause = () => Promise.resolve();

    /**
     * Holds the requests that reach the handler's pause point: `paused` resolves once the first is
     * there, and they go on when `release()` is called. The test sets `pause` back to let later
     * requests through.
     */
    function holdNextPause(): { paused: Promise<void>; release: () => void } {
      let loaded!: () => void;
      const paused = new Promise<void>((resolve) => { loaded = resolve; });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      pause = () => { loaded(); return gate; };
      return { paused, release };
    }

    async function start(options: Partial<Omit<CaseStoreOptions, 'now'>> = {}): Promise<void> {
      await server?.close();
      extra = options;
      const store = await config.create({
        idleTimeout: 1000,
        absoluteTimeout: 10_000,
        renewAfter: 0.25,
        ...extra,
        now: () => clock,
        onDecodeError: (code) => { decodeErrors.push(code); },
      });
      server = await serve((ctx) => handle(ctx, store, () => pause()));
      browser = new Browser(server.url);
    }

    beforeEach(async () => {
      clock = T0;
      decodeErrors = [];
      await start();
    });
    afterEach(async () => {
      await server.close();
      assert.deepEqual(server.errors, [], 'no request failed');
      await config.cleanup?.();
    });

    test('an untouched new session sends no Set-Cookie', async () => {
      const r = await browser.get('/read');
      assert.equal(r.status, 200);
      assert.deepEqual(r.setCookies, []);
      assert.equal((r.body as { isNew: boolean }).isNew, true);
    });

    test('a changed session is written and read back on the next request', async () => {
      const first = await browser.get('/inc');
      assert.equal(setCookieFor(first, COOKIE).length, 1);
      const line = setCookieFor(first, COOKIE)[0] ?? '';
      assert.match(line, /; Path=\//);
      assert.match(line, /; Secure/);
      assert.match(line, /; HttpOnly/);
      assert.match(line, /; SameSite=Lax/);
      const second = await browser.get('/inc');
      const body = second.body as { isNew: boolean; id: string; values: CaseValues };
      assert.equal(body.isNew, false);
      assert.equal(body.values.n, 2);
      assert.equal(body.id, (first.body as { id: string }).id);
    });

    test('every configured cookie attribute reaches each write and the deletion', async () => {
      await start({ cookie: { prefix: '__Secure-', domain: 'example.com', partitioned: true, sameSite: 'None', maxAge: 600 } });
      const has = (line: string, attributes: string[]) => {
        for (const attribute of attributes) assert.ok(line.split('; ').includes(attribute), `${attribute} in ${line}`);
      };
      has(setCookieFor(await browser.get('/inc'), '__Secure-session')[0] ?? '', ['Path=/', 'Domain=example.com', 'Max-Age=600', 'Secure', 'HttpOnly', 'SameSite=None', 'Partitioned']);
      has(setCookieFor(await browser.get('/inc'), '__Secure-session')[0] ?? '', ['Domain=example.com', 'Max-Age=600', 'Partitioned']);
      has(setCookieFor(await browser.get('/destroy'), '__Secure-session')[0] ?? '', ['Path=/', 'Domain=example.com', 'Max-Age=0', 'Secure', 'Partitioned']);
    });

    test('an unchanged loaded session sends no Set-Cookie', async () => {
      await browser.get('/inc');
      clock += 1000; // under renewAfter × idleTimeout = 250 s
      const r = await browser.get('/read');
      assert.deepEqual(r.setCookies, []);
      assert.equal((r.body as { values: CaseValues }).values.n, 1);
    });

    test('a nested change is detected and saved', async () => {
      await browser.get('/push?x=1');
      await browser.get('/push?x=2');
      const r = await browser.get('/read');
      assert.deepEqual((r.body as { values: CaseValues }).values.cart, [1, 2]);
    });

    test('get returns the same session for the same request and name', async () => {
      assert.equal((await browser.get('/same')).body, true);
    });

    test('a flash pops exactly once', async () => {
      await browser.get('/flash?msg=hello');
      assert.deepEqual((await browser.get('/flashes')).body, ['hello']);
      assert.deepEqual((await browser.get('/flashes')).body, []);
    });

    test('regenerate changes the id and keeps the values', async () => {
      const before = (await browser.get('/inc')).body as { id: string };
      const after = (await browser.get('/login?user=alice')).body as { id: string; values: CaseValues; subject: string };
      assert.notEqual(after.id, before.id);
      assert.equal(after.values.n, 1);
      const read = (await browser.get('/read')).body as { id: string; subject: string; values: CaseValues };
      assert.equal(read.id, after.id);
      assert.equal(read.subject, 'alice');
      assert.equal(read.values.user, 'alice');
    });

    test('destroy deletes the cookie and the next request starts fresh', async () => {
      await browser.get('/inc');
      const stolen = browser.jar.get(COOKIE) ?? '';
      const r = await browser.get('/destroy');
      const line = setCookieFor(r, COOKIE)[0] ?? '';
      assert.match(line, /Max-Age=0/);
      assert.match(line, /; Path=\//);
      assert.match(line, /; Secure/);
      assert.equal(browser.jar.has(COOKIE), false);
      assert.equal(((await browser.get('/read')).body as { isNew: boolean }).isNew, true);
      if (config.serverSide === true) {
        const replay = await browser.request('/read', { headers: { cookie: `${COOKIE}=${stolen}` } });
        assert.equal((replay.body as { isNew: boolean }).isNew, true, 'a replayed cookie finds nothing');
      }
    });

    test('destroy of a session due for renewal deletes the cookie, and nothing is written over the deletion', async () => {
      await browser.get('/inc');
      clock += 300_000; // past renewAfter × idleTimeout = 250 s: the auto-commit would renew it
      const r = await browser.get('/destroy');
      assert.equal(r.status, 200);
      assert.deepEqual(r.cookieWrites.filter((name) => name === COOKIE), [COOKIE], 'one write: the deletion');
      assert.match(setCookieFor(r, COOKIE)[0] ?? '', /Max-Age=0/);
    });

    test('destroy deletes the cookie a request carried even when it opened no session', async () => {
      const r = await browser.request('/destroy', { headers: { cookie: `${COOKIE}=garbage` } });
      assert.equal((r.body as { isNew: boolean }).isNew, true);
      assert.match(setCookieFor(r, COOKIE)[0] ?? '', /Max-Age=0/);
    });

    test('a new session saved and then destroyed in the same request ends with the deletion, not the saved cookie', async () => {
      const r = await browser.get('/inc-save-destroy');
      assert.match(setCookieFor(r, COOKIE)[0] ?? '', /Max-Age=0/);
      assert.equal(browser.jar.has(COOKIE), false);
    });

    test('a destroyed new session sends nothing', async () => {
      const r = await browser.get('/destroy');
      assert.deepEqual(r.setCookies, []);
    });

    test('a regenerated session makes the old id worthless (server-side stores)', { skip: config.serverSide === true ? false : 'a stateless cookie cannot be recalled without a revocation hook' }, async () => {
      await browser.get('/inc');
      const old = browser.jar.get(COOKIE) ?? '';
      await browser.get('/regenerate');
      const replay = await browser.request('/read', { headers: { cookie: `${COOKIE}=${old}` } });
      assert.equal((replay.body as { isNew: boolean }).isNew, true);
    });

    // A server-side store keeps whatever a session holds, in memory, on disk or in Redis that every
    // session shares: a list the app appends to on every request would grow without end. The
    // bound is counted in UTF-8 bytes of the values' JSON, so 'é' counts 2.
    test('a save past maxDataBytes throws ERR_SESSION_TOO_LARGE and writes nothing: the stored session stays as it was (server-side stores)', { skip: config.serverSide === true ? false : 'a cookie store is bounded by the cookie (its own tests)' }, async () => {
      await start({ maxDataBytes: 200 });
      await browser.get('/inc');
      const cookie = browser.jar.get(COOKIE);
      const r = await browser.get('/big-save?times=300');
      assert.equal(r.status, 200);
      const body = r.body as { code: string; size: number; limit: number; message: string };
      assert.equal(body.code, 'ERR_SESSION_TOO_LARGE');
      assert.equal(body.size, '{"n":1,"big":""}'.length + 300);
      assert.equal(body.limit, 200);
      assert.match(body.message, /maxDataBytes/);
      assert.deepEqual(r.setCookies, [], 'the caught refusal is not written by the auto-commit either');
      assert.equal(browser.jar.get(COOKIE), cookie);
      const read = (await browser.get('/read')).body as { isNew: boolean; values: CaseValues };
      assert.equal(read.isNew, false);
      assert.deepEqual(read.values, { n: 1 });
    });

    test('maxDataBytes counts UTF-8 bytes: values at the limit are written, one byte more is refused (server-side stores)', { skip: config.serverSide === true ? false : 'a cookie store is bounded by the cookie (its own tests)' }, async () => {
      // {"big":"é…é"}: 10 bytes around 50 two-byte characters, 110 bytes in 60 UTF-16 units.
      await start({ maxDataBytes: 110 });
      const fits = await browser.get(`/big-save?text=${encodeURIComponent('é')}&times=50`);
      assert.equal((fits.body as { values: CaseValues }).values.big, 'é'.repeat(50));
      assert.equal(((await browser.get('/read')).body as { values: CaseValues }).values.big, 'é'.repeat(50));
      const over = (await browser.get(`/big-save?text=${encodeURIComponent('é')}&times=51`)).body as { code: string; size: number };
      assert.equal(over.code, 'ERR_SESSION_TOO_LARGE');
      assert.equal(over.size, 112);
      assert.equal(((await browser.get('/read')).body as { values: CaseValues }).values.big, 'é'.repeat(50), 'the session as stored before');
    });

    test('a session past maxDataBytes left to the auto-commit fails loudly and writes nothing (server-side stores)', { skip: config.serverSide === true ? false : 'a cookie store is bounded by the cookie (its own tests)' }, async () => {
      await start({ maxDataBytes: 200 });
      await browser.get('/inc');
      const r = await browser.get('/big-auto?times=300');
      assert.equal(r.status, 500);
      assert.deepEqual(r.setCookies, []);
      assert.equal(server.errors.length, 1);
      assert.ok(server.errors[0] instanceof SessionTooLargeError);
      server.errors.length = 0;
      assert.deepEqual(((await browser.get('/read')).body as { values: CaseValues }).values, { n: 1 });
    });

    // The documented opposite of the case above (docs/security.md, "Logout of a stateless
    // cookie"): without a revocation hook, a cookie store cannot recall a value it issued. What the
    // old cookie then opens is the session as it was: its own id, values and no subject, never
    // the one that logged in after it.
    test('a stateless cookie from before a login still opens as the old anonymous session, with no subject (cookie stores)', { skip: config.serverSide === true ? 'server-side stores make the old id worthless (the case above)' : false }, async () => {
      const before = (await browser.get('/inc')).body as { id: string };
      const old = browser.jar.get(COOKIE) ?? '';
      const after = (await browser.get('/login?user=alice')).body as { id: string; subject: string };
      assert.equal(after.subject, 'alice');
      assert.notEqual(after.id, before.id);
      const replay = (await browser.request('/read', { headers: { cookie: `${COOKIE}=${old}` } })).body as { isNew: boolean; id: string; subject: string | null; values: CaseValues };
      assert.equal(replay.isNew, false, 'the old cookie still opens');
      assert.equal(replay.id, before.id);
      assert.equal(replay.subject, null, 'with no subject: the login is not in it');
      assert.equal(replay.values.n, 1);
    });

    // Regression: the request below left with the old id before the login replaced it. Its record
    // gone, it used to delete the session cookie, which the browser by then held with the login's
    // id: the user was logged out right after logging in (docs/stores.md, "A refused cookie is not
    // deleted"). Cookie stores have no record to miss: the old cookie opens as the old session.
    test('a request in flight from before a login does not delete the new session\'s cookie (server-side stores)', { skip: config.serverSide === true ? false : 'a stateless cookie has no record to find gone' }, async () => {
      await browser.get('/inc');
      const old = browser.jar.get(COOKIE) ?? '';
      const { paused, release } = holdNextPause();
      // (a) loaded and changed before the login; its write comes after it.
      const early = browser.request('/inc-held', { headers: { cookie: `${COOKIE}=${old}` } });
      await paused;
      pause = () => Promise.resolve();
      const login = (await browser.get('/login?user=alice')).body as { id: string };
      const fresh = browser.jar.get(COOKIE) ?? '';
      assert.notEqual(fresh, old);
      release();
      const a = await early;
      assert.deepEqual(setCookieFor(a, COOKIE), [], 'no deletion and no new id cookie');
      // (b) loaded after the login: a fresh session, and no deletion either.
      const late = await browser.request('/read', { headers: { cookie: `${COOKIE}=${old}` } });
      assert.equal((late.body as { isNew: boolean }).isNew, true, 'the old id is refused');
      assert.deepEqual(setCookieFor(late, COOKIE), [], 'no deletion');
      assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND', 'ERR_SESSION_NOT_FOUND']);
      assert.equal(browser.jar.get(COOKIE), fresh, 'the browser still holds the login\'s cookie');
      const after = (await browser.get('/read')).body as { id: string; subject: string | null; values: CaseValues };
      assert.deepEqual([after.id, after.subject, after.values.n], [login.id, 'alice', 1], 'still signed in, the change of the dropped write not applied');
    });

    // Regression: a cookie refused by the revocation hook (a re-login revokes the previous session,
    // as the reference app does) was deleted by the response of a request that carried it, which
    // could arrive after the login and delete the login's cookie (docs/stores.md, "A refused
    // cookie is not deleted"). test/session/refused-cookie-across-login.test.ts holds the
    // interleavings; this runs the outcome on every store.
    test('a cookie refused by the revocation hook gets a fresh session, is not deleted, and stays refused', async () => {
      const revoked = new Set<string>();
      await start({ isRevoked: (info) => revoked.has(info.id) });
      const before = (await browser.get('/login?user=alice')).body as { id: string };
      const old = browser.jar.get(COOKIE) ?? '';
      revoked.add(before.id); // the session is revoked (the app's re-login does it first)...
      const { paused, release } = holdNextPause();
      // ...a request another tab sent with the old cookie is refused, and held...
      const early = browser.request('/read-held', { headers: { cookie: `${COOKIE}=${old}` } });
      await paused;
      pause = () => Promise.resolve();
      // ...while alice signs in again; its response comes after the login's.
      const login = (await browser.get('/login?user=alice')).body as { id: string; subject: string };
      assert.notEqual(login.id, before.id);
      const fresh = browser.jar.get(COOKIE) ?? '';
      assert.notEqual(fresh, old);
      release();
      const a = await early;
      assert.deepEqual([(a.body as { isNew: boolean }).isNew, (a.body as { subject: string | null }).subject], [true, null], 'the old cookie is refused');
      assert.deepEqual(setCookieFor(a, COOKIE), [], 'and not deleted');
      const late = await browser.request('/read', { headers: { cookie: `${COOKIE}=${old}` } });
      assert.equal((late.body as { isNew: boolean }).isNew, true, 'still refused on a later request');
      assert.deepEqual(setCookieFor(late, COOKIE), [], 'and not deleted');
      // Server-side, the first refusal deleted the record: later ones find none.
      assert.deepEqual(decodeErrors, config.serverSide === true
        ? ['ERR_SESSION_REVOKED', 'ERR_SESSION_NOT_FOUND', 'ERR_SESSION_NOT_FOUND']
        : ['ERR_SESSION_REVOKED', 'ERR_SESSION_REVOKED', 'ERR_SESSION_REVOKED']);
      assert.equal(browser.jar.get(COOKIE), fresh, 'the browser still holds the login\'s cookie');
      const after = (await browser.get('/read')).body as { id: string; subject: string | null };
      assert.deepEqual([after.id, after.subject], [login.id, 'alice'], 'still signed in');
    });

    test('two named sessions live side by side in one request', async () => {
      const r = await browser.get('/two');
      assert.equal(setCookieFor(r, COOKIE).length, 1);
      assert.equal(setCookieFor(r, '__Host-other').length, 1);
      assert.deepEqual((await browser.get('/read-two')).body, [1, 2]);
    });

    test('an explicit save writes once, and auto-commit does not write again', async () => {
      const r = await browser.get('/save');
      assert.equal(setCookieFor(r, COOKIE).length, 1);
      // The response keeps one line per name whatever happened: count the writes themselves.
      assert.deepEqual(r.cookieWrites.filter((name) => name === COOKIE), [COOKIE], 'one write of the session cookie');
      assert.equal(((await browser.get('/read')).body as { isNew: boolean }).isNew, false);
    });

    test('a change saved explicitly is written once: the auto-commit does not write it again', async () => {
      const r = await browser.get('/inc-save');
      assert.deepEqual(r.cookieWrites.filter((name) => name === COOKIE), [COOKIE], 'one write of the session cookie');
      assert.equal(((await browser.get('/read')).body as { values: CaseValues }).values.n, 1);
    });

    test('the idle timeout ends an inactive session', async () => {
      await browser.get('/inc');
      clock += 999_000;
      assert.equal(((await browser.get('/read')).body as { isNew: boolean }).isNew, false, 'alive after 999 s (and renewed)');
      clock += 1000_000; // 1000 s after that renewal
      const r = await browser.get('/read');
      assert.equal((r.body as { isNew: boolean }).isNew, true);
      assert.equal(r.status, 200);
      assert.ok(decodeErrors.length >= 1, 'onDecodeError heard about it');
    });

    test('renewal slides the idle timeout, at most once per renewAfter fraction', async () => {
      await browser.get('/inc');
      clock += 200_000; // < 250 s: no renewal
      assert.deepEqual((await browser.get('/read')).setCookies, []);
      clock += 100_000; // 300 s since the write: renewal due
      const renewed = await browser.get('/read');
      assert.equal(setCookieFor(renewed, COOKIE).length, 1, 'renewed');
      clock += 100_000; // 100 s since renewal: not again
      assert.deepEqual((await browser.get('/read')).setCookies, []);
      clock += 850_000; // 950 s since the renewal, 1250 s since creation: alive thanks to the renewal
      const r = await browser.get('/read');
      assert.equal((r.body as { isNew: boolean; values: CaseValues }).isNew, false);
      assert.equal((r.body as { values: CaseValues }).values.n, 1);
    });

    test('the absolute timeout ends a session however active it is', async () => {
      await browser.get('/inc');
      for (let i = 0; i < 12; i++) {
        clock += 900_000;
        const r = (await browser.get('/inc')).body as { isNew: boolean };
        if (clock - T0 < 10_000_000) assert.equal(r.isNew, false, `alive at ${(clock - T0) / 1000} s`);
        else {
          assert.equal(r.isNew, true, `over at ${(clock - T0) / 1000} s`);
          return;
        }
      }
      assert.fail('the session outlived its absolute timeout');
    });

    test('a tampered cookie gives a fresh session, is replaced or deleted, and is never a 500', async () => {
      await browser.get('/inc');
      const good = browser.jar.get(COOKIE) ?? '';
      const flipped = good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.slice(-1);
      for (const bad of [flipped, 'garbage', '', 'x'.repeat(5000), '%ff%fe', good + 'A', good.slice(0, 10)]) {
        decodeErrors = [];
        const read = await browser.request('/read', { headers: { cookie: `${COOKIE}=${bad}` } });
        assert.equal(read.status, 200);
        assert.equal((read.body as { isNew: boolean }).isNew, true);
        if (bad !== '') {
          assert.equal(setCookieFor(read, COOKIE).length, 1, `bad cookie ${bad.slice(0, 20)} is deleted`);
          assert.match(setCookieFor(read, COOKIE)[0] ?? '', /Max-Age=0/);
          assert.equal(decodeErrors.length, 1);
        }
        const write = await browser.request('/inc', { headers: { cookie: `${COOKIE}=${bad}` } });
        assert.equal(write.status, 200);
        assert.equal((write.body as { values: CaseValues }).values.n, 1);
        assert.doesNotMatch(setCookieFor(write, COOKIE)[0] ?? '', /Max-Age=0/, 'replaced by the new session');
      }
    });

    test('isRevoked rejects a session on its next request', async () => {
      const revoked = new Set<string>();
      await start({ isRevoked: ({ id }) => revoked.has(id) });
      const { id } = (await browser.get('/inc')).body as { id: string };
      assert.equal(((await browser.get('/read')).body as { isNew: boolean }).isNew, false);
      revoked.add(id);
      const r = await browser.get('/read');
      assert.equal((r.body as { isNew: boolean }).isNew, true);
      assert.ok(decodeErrors.includes('ERR_SESSION_REVOKED'));
    });

    // Planted-bug guard: an `isRevoked` that answers with a promise must be awaited. A store that
    // only looked at a synchronous `true` (a promise object is truthy, `=== true` is not) would let
    // every revoked session of an app whose revocation list lives in Redis or a database through.
    test('an asynchronous isRevoked answer is awaited: true rejects, false keeps, on every request', async () => {
      const revoked = new Set<string>();
      let asked = 0;
      await start({ isRevoked: async ({ id }) => { asked++; await Promise.resolve(); return revoked.has(id); } });
      const { id } = (await browser.get('/inc')).body as { id: string };
      const before = asked;
      assert.equal(((await browser.get('/read')).body as { isNew: boolean }).isNew, false, 'a promise of false keeps the session');
      assert.ok(asked > before, 'asked again on a later request (a cache hit too)');
      revoked.add(id);
      const r = await browser.get('/read');
      assert.equal((r.body as { isNew: boolean }).isNew, true, 'a promise of true rejects it');
      assert.ok(decodeErrors.includes('ERR_SESSION_REVOKED'));
    });

    test('notValidBefore logs a subject out everywhere but keeps a session regenerated after it', async () => {
      let cutoff: number | undefined;
      await start({ notValidBefore: async (subject) => (subject === 'alice' ? cutoff : undefined) });
      await browser.get('/login?user=alice');
      const other = new Browser(server.url);
      await other.get('/login?user=alice');
      clock += 1000;
      cutoff = clock; // "log out everywhere" at this instant...
      await browser.get('/login?user=alice'); // ...and this device logs in again in the same millisecond
      assert.equal(((await other.get('/read')).body as { isNew: boolean }).isNew, true);
      assert.equal(((await browser.get('/read')).body as { subject: string }).subject, 'alice');
      assert.ok(decodeErrors.includes('ERR_SESSION_REVOKED'));
    });
  });
}

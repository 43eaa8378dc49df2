import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieStore, type CookieStoreOptions } from '../../src/session/cookie-store/cookie-store.js';
import { SessionTooLargeError } from '../../src/session/core/session-too-large-error.js';
import { SessionError, type DecodeErrorCode } from '../../src/errors.js';
import { runStoreCases, type CaseValues } from './store.case.js';
import { Browser, serve, setCookieFor } from './harness.js';
import type { BeforeSendHook, SessionContext } from '../../src/session/core/types.js';
import { parseCookies } from '../../src/cookie/parse.js';

const keyA = generateKey('a');
const keyB = generateKey('b');
const ringA = await Keyring.create([keyA]);
const ringBA = await Keyring.create([keyB, keyA]); // b is primary, a still opens
const ringB = await Keyring.create([keyB]);

runStoreCases({ name: 'CookieStore (sealed)', create: (o) => new CookieStore<CaseValues>({ ...o, keyring: ringA }) });
runStoreCases({ name: 'CookieStore (signed)', create: (o) => new CookieStore<CaseValues>({ ...o, keyring: ringA, mode: 'signed' }) });
runStoreCases({ name: 'CookieStore (sealed, no cache)', create: (o) => new CookieStore<CaseValues>({ ...o, keyring: ringA, cache: false }) });
runStoreCases({ name: 'CookieStore (sealed, chunking)', create: (o) => new CookieStore<CaseValues>({ ...o, keyring: ringA, chunking: true }) });

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const servers: Array<Awaited<ReturnType<typeof serve>>> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function track(server: Awaited<ReturnType<typeof serve>>) {
  servers.push(server);
  return server;
}
const COOKIE = '__Host-session';

/** One server around one store; `route(path)` decides what the handler does. */
async function setup(options: Partial<CookieStoreOptions> = {}) {
  let clock = T0;
  const decodeErrors: DecodeErrorCode[] = [];
  const store = new CookieStore<CaseValues>({ keyring: ringA, now: () => clock, onDecodeError: (c) => { decodeErrors.push(c); }, ...options });
  const server = await track(await serve(async (ctx) => {
    const session = await store.get(ctx, 'session');
    const size = ctx.url.searchParams.get('size');
    if (size !== null) {
      session.values.big = 'x'.repeat(Number(size));
      try {
        await session.save();
      } catch (err) {
        if (!(err instanceof SessionTooLargeError)) throw err;
        delete session.values.big; // or the auto-commit fails the same way
        return { code: err.code, size: err.size, limit: err.limit, message: err.message };
      }
    }
    if (ctx.url.pathname === '/inc') session.values.n = (session.values.n ?? 0) + 1;
    if (ctx.url.pathname === '/destroy') await session.destroy();
    return { isNew: session.isNew, n: session.values.n ?? null, big: session.values.big?.length ?? null };
  }));
  return { store, server, browser: new Browser(server.url), decodeErrors, tick: (ms: number) => { clock += ms; } };
}

describe('CookieStore', () => {
  test('re-seals a cookie opened with a non-primary key on the same response', async () => {
    const a = await setup();
    await a.browser.get('/inc');
    const old = a.browser.jar.get(COOKIE) ?? '';
    a.store.keyring = ringBA;
    const r = await a.browser.get('/read');
    assert.equal((r.body as { n: number }).n, 1);
    assert.equal(setCookieFor(r, COOKIE).length, 1, 're-issued');
    assert.notEqual(a.browser.jar.get(COOKIE), old);
    a.store.keyring = ringB; // key a retired: the re-issued cookie still opens
    assert.equal(((await a.browser.get('/read')).body as { n: number }).n, 1);
  });

  test('a retired key stops opening cookies at once, cache or not', async () => {
    const a = await setup();
    await a.browser.get('/inc');
    await a.browser.get('/read'); // cached now
    a.store.keyring = ringB;
    const r = await a.browser.get('/read');
    assert.equal((r.body as { isNew: boolean }).isNew, true);
    assert.deepEqual(a.decodeErrors.length, 1);
  });

  test('save() throws ERR_SESSION_TOO_LARGE with the size and the limit', async () => {
    const a = await setup();
    const r = await a.browser.get('/read?size=5000');
    const body = r.body as { code: string; size: number; limit: number; message: string };
    assert.equal(body.code, 'ERR_SESSION_TOO_LARGE');
    assert.equal(body.limit, 4096);
    assert.ok(body.size > 4096);
    assert.match(body.message, /chunking/);
    assert.equal(a.server.errors.length, 0);
  });

  test('an oversize session left to auto-commit fails loudly rather than being dropped by the browser', async () => {
    const a = await setup();
    const store = a.store;
    const server = await track(await serve(async (ctx) => { (await store.get(ctx, 'session')).values.big = 'x'.repeat(5000); }));
    const r = await new Browser(server.url).get('/');
    assert.equal(r.status, 500);
    assert.ok(server.errors[0] instanceof SessionError);
    server.errors.length = 0;
  });

  test('chunking: a large session round-trips over several cookies, then shrinks back to one', async () => {
    const a = await setup({ chunking: true });
    const big = await a.browser.get('/inc?size=9000');
    assert.equal((big.body as { big: number }).big, 9000);
    const names = [...a.browser.jar.keys()].sort();
    assert.deepEqual(names, [`${COOKIE}.0`, `${COOKIE}.1`, `${COOKIE}.2`]);
    for (const line of big.setCookies) assert.ok(line.split(';')[0]!.length - 1 <= 4096, 'name + value within 4096 bytes');
    const read = await a.browser.get('/inc');
    assert.deepEqual(read.body, { isNew: false, n: 2, big: 9000 });
    const small = await a.browser.get('/inc?size=10');
    assert.equal((small.body as { big: number }).big, 10);
    assert.deepEqual([...a.browser.jar.keys()], [COOKIE], 'the chunks were deleted');
    assert.deepEqual((await a.browser.get('/read')).body, { isNew: false, n: 3, big: 10 });
  });

  test('chunking: destroy deletes every chunk; over the cap is ERR_SESSION_TOO_LARGE', async () => {
    const a = await setup({ chunking: { maxChunks: 2 } });
    await a.browser.get('/inc?size=6000');
    assert.equal(a.browser.jar.size, 2);
    const gone = await a.browser.get('/destroy');
    assert.equal(gone.setCookies.filter((l) => /Max-Age=0/.test(l)).length, 2);
    assert.equal(a.browser.jar.size, 0);
    const r = await a.browser.get('/read?size=9000');
    assert.deepEqual([(r.body as { code: string }).code, (r.body as { limit: number }).limit], ['ERR_SESSION_TOO_LARGE', 8192]);
  });

  test('chunking: a missing chunk gives a fresh session and the strays are deleted', async () => {
    const a = await setup({ chunking: true });
    await a.browser.get('/inc?size=6000');
    a.browser.jar.delete(`${COOKIE}.0`);
    const r = await a.browser.get('/read');
    assert.equal((r.body as { isNew: boolean }).isNew, true);
    assert.deepEqual(a.decodeErrors, ['ERR_COOKIE_MALFORMED']);
    assert.equal(a.browser.jar.size, 0);
  });

  test('chunking: the whole value in .0 and an empty .1 gives a fresh session, and both are deleted', async () => {
    const a = await setup({ chunking: true });
    await a.browser.get('/inc?size=6000');
    const whole = a.browser.jar.get(`${COOKIE}.0`)! + a.browser.jar.get(`${COOKIE}.1`)!;
    a.browser.jar.set(`${COOKIE}.0`, whole);
    a.browser.jar.set(`${COOKIE}.1`, '');
    const r = await a.browser.get('/read');
    assert.equal((r.body as { isNew: boolean }).isNew, true);
    assert.deepEqual(a.decodeErrors, ['ERR_COOKIE_MALFORMED']);
    assert.equal(a.browser.jar.size, 0);
  });

  test('chunking: a value that fits one cookie, sent as a chunk, gives a fresh session (this store writes it unchunked)', async () => {
    const a = await setup({ chunking: true });
    await a.browser.get('/inc');
    const value = a.browser.jar.get(COOKIE)!;
    a.browser.jar.delete(COOKIE);
    a.browser.jar.set(`${COOKIE}.0`, value);
    const r = await a.browser.get('/read');
    assert.equal((r.body as { isNew: boolean }).isNew, true);
    assert.deepEqual(a.decodeErrors, ['ERR_COOKIE_MALFORMED']);
    assert.equal(a.browser.jar.size, 0);
  });

  test('a cache hit still checks expiry and timeouts', async () => {
    const a = await setup({ idleTimeout: 100, absoluteTimeout: 1000, renewAfter: 1 });
    await a.browser.get('/inc');
    await a.browser.get('/read');
    a.tick(100_000);
    assert.equal(((await a.browser.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.deepEqual(a.decodeErrors, ['ERR_SESSION_IDLE_TIMEOUT'], 'a hit names the timeout');
  });

  test('a cache hit past the absolute timeout names it; a miss reports the sealed expiry', async () => {
    const a = await setup({ idleTimeout: 100, absoluteTimeout: 150, renewAfter: 0.1 });
    await a.browser.get('/inc');
    a.tick(90_000);
    await a.browser.get('/read'); // renewed at 90 s, sealed until 150 s
    a.tick(60_000);
    assert.equal(((await a.browser.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.deepEqual(a.decodeErrors, ['ERR_SESSION_ABSOLUTE_TIMEOUT']);
    const cold = await setup({ idleTimeout: 100, absoluteTimeout: 150, cache: false });
    await cold.browser.get('/inc');
    cold.tick(100_000);
    assert.equal(((await cold.browser.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.deepEqual(cold.decodeErrors, ['ERR_COOKIE_EXPIRED']);
  });

  test('the cookie Max-Age follows the timeouts, or is left out for a browser-session cookie', async () => {
    const a = await setup({ idleTimeout: 100, absoluteTimeout: 150 });
    const first = await a.browser.get('/inc');
    assert.match(setCookieFor(first, COOKIE)[0] ?? '', /Max-Age=100(;|$)/);
    a.tick(90_000);
    const second = await a.browser.get('/inc');
    assert.match(setCookieFor(second, COOKIE)[0] ?? '', /Max-Age=60(;|$)/, 'capped by the absolute timeout');
    const b = await setup({ cookie: { maxAge: 'session' } });
    assert.doesNotMatch(setCookieFor(await b.browser.get('/inc'), COOKIE)[0] ?? '', /Max-Age/);
  });

  test('a development store over http://localhost uses a plain name without Secure', async () => {
    const a = await setup({ cookie: { prefix: '', secure: false } });
    const line = setCookieFor(await a.browser.get('/inc'), 'session')[0] ?? '';
    assert.match(line, /^session=/);
    assert.doesNotMatch(line, /Secure/);
  });

  test('a cache hit gives each request its own copy of the values', async () => {
    const a = await setup();
    await a.browser.get('/inc'); // n = 1, and the new cookie is in the verified cache
    const cookie = `${COOKIE}=${a.browser.jar.get(COOKIE) ?? ''}`;
    assert.equal(((await a.browser.request('/inc', { headers: { cookie } })).body as { n: number }).n, 2);
    assert.equal(((await a.browser.request('/read', { headers: { cookie } })).body as { n: number }).n, 1, 'the same cookie still reads n = 1');
  });

  test('a cookie the cache verified opens without waiting (an unchanged session commits in the same tick), found in the raw header as the parser finds it', async () => {
    const store = new CookieStore<CaseValues>({ keyring: ringA });
    const staged = new Map<string, string>();
    const fake = (cookies: Record<string, string>, hooks: BeforeSendHook[]): SessionContext => ({
      cookies,
      setCookie: (name, value) => { staged.set(name, value); },
      deleteCookie: (name) => { staged.set(name, ''); },
      onBeforeSend: (hook) => { hooks.push(hook); },
    });
    const firstHooks: BeforeSendHook[] = [];
    (await store.get(fake({}, firstHooks), 'session')).values.n = 1;
    for (const hook of firstHooks) await hook();
    const value = staged.get(COOKIE) ?? '';
    staged.clear();

    const hooks: BeforeSendHook[] = [];
    const pending = store.get(fake({ [COOKIE]: value }, hooks), 'session'); // written above, so cached
    assert.equal(hooks[0]?.(), undefined, 'nothing to write and nothing to wait for');
    assert.equal((await pending).values.n, 1);
    assert.equal(staged.size, 0);

    // Looked up in the raw header first: a same-named pair the cookie parser skips (a control
    // character) is skipped here too, and the valid one after it opens, from the cache.
    for (const header of [`${COOKIE}=${value}`, `${COOKIE}=bad\u0001; ${COOKIE}=${value}`, `x=${COOKIE}=junk; ${COOKIE}=${value}`]) {
      const ctx = { ...fake(parseCookies(header), []), headers: { cookie: header } };
      assert.equal((await store.get(ctx, 'session')).values.n, 1, JSON.stringify(header));
    }
    const errors: string[] = [];
    const strict = new CookieStore<CaseValues>({ keyring: ringA, onDecodeError: (code) => { errors.push(code); } });
    const bad = `${COOKIE}=${value.slice(0, -2)}\u0001x`;
    const opened = await strict.get({ ...fake(parseCookies(bad), []), headers: { cookie: bad } }, 'session');
    assert.equal(opened.isNew, true);
    assert.deepEqual(errors, [], 'a pair the parser skips is no cookie at all, not a bad one');
  });

  test('a cookie cut from another name does not open', async () => {
    const a = await setup();
    await a.browser.get('/inc');
    const value = a.browser.jar.get(COOKIE) ?? '';
    const store = a.store;
    const server = await track(await serve(async (ctx) => (await store.get(ctx, 'other')).isNew));
    const r = await new Browser(server.url).request('/', { headers: { cookie: `__Host-other=${value}` } });
    assert.equal(r.body, true);
  });

  test('rejects invalid options at construction', () => {
    const usage = (err: unknown) => err instanceof SessionError && err.kind === 'usage';
    assert.throws(() => new CookieStore({} as CookieStoreOptions), usage);
    assert.throws(() => new CookieStore({ keyring: ringA, mode: 'plain' as 'sealed' }), usage);
    assert.throws(() => new CookieStore({ keyring: ringA, chunking: { maxChunks: 0 } }), usage);
    assert.throws(() => new CookieStore({ keyring: ringA, cache: { maxEntries: 0 } }), usage);
    assert.throws(() => new CookieStore({ keyring: ringA, cookie: { secure: false } }), usage);
  });
});

describe('CookieStore edge cases', () => {
  function fakeCtx(cookies: Record<string, string> = {}) {
    const set = new Map<string, string>();
    const hooks: Array<() => void | Promise<void>> = [];
    return { ctx: { cookies, setCookie: (n: string, v: string) => { set.set(n, v); }, deleteCookie: (n: string) => { set.set(n, ''); }, onBeforeSend: (h: () => void | Promise<void>) => { hooks.push(h); } }, set, hooks };
  }

  test('a value JSON cannot hold is ERR_DATA_INVALID, on save and on auto-commit', async () => {
    const store = new CookieStore<{ n?: unknown }>({ keyring: ringA });
    const { ctx, hooks } = fakeCtx();
    const session = await store.get(ctx, 'session');
    session.values.n = 10n;
    assert.equal(session.changed, true);
    const invalid = (e: unknown) => e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && e.kind === 'usage';
    await assert.rejects(session.save(), invalid);
    await assert.rejects(async () => { for (const h of hooks) await h(); }, invalid);
  });

  test('values replaced by something that is not a plain object are ERR_DATA_INVALID, not a cookie that never opens', async () => {
    const store = new CookieStore({ keyring: ringA });
    const { ctx, hooks } = fakeCtx();
    const session = await store.get(ctx, 'session');
    const invalid = (e: unknown) => e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && e.kind === 'usage';
    for (const bad of [undefined, [1], 'secret-text', null]) {
      (session as { values: unknown }).values = bad;
      await assert.rejects(session.save(), invalid);
      await assert.rejects(async () => { for (const h of hooks) await h(); }, invalid);
      // the message names the kind of value, never its text
      await assert.rejects(session.save(), (e: unknown) => e instanceof Error && !e.message.includes('secret'));
    }
  });

  test('a value JSON would silently change (Date, Map, Set, NaN, a class instance) is ERR_DATA_INVALID at save and at the auto-commit, naming the key and the kind, never the value', async () => {
    const store = new CookieStore<Record<string, unknown>>({ keyring: ringA });
    const invalid = (what: RegExp) => (e: unknown) =>
      e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && e.kind === 'usage' && what.test(e.message) && !e.message.includes('secret-text');
    class Cart { items = ['secret-text']; }
    const cases: Array<[unknown, RegExp]> = [
      [new Date(0), /values\["x"\] holds a Date/],
      [new Map([['secret-text', 1]]), /values\["x"\] holds a Map/],
      [new Set(['secret-text']), /values\["x"\] holds a Set/],
      [Number.NaN, /holds NaN/],
      [{ deep: [1, Number.POSITIVE_INFINITY] }, /holds Infinity/],
      [['secret-text', undefined], /undefined in an array/],
      [new Cart(), /instance of Cart/],
      [{ f: () => 'secret-text' }, /holds a function/],
    ];
    for (const [value, what] of cases) {
      const { ctx, hooks, set } = fakeCtx();
      const session = await store.get(ctx, 'session');
      session.values.x = value;
      await assert.rejects(session.save(), invalid(what));
      await assert.rejects(async () => { for (const h of hooks) await h(); }, invalid(what));
      assert.equal(set.size, 0); // nothing written that would read back differently
    }
  });

  test('a field set to undefined is still allowed: JSON drops it and it reads back as undefined', async () => {
    const store = new CookieStore<{ user?: string | undefined }>({ keyring: ringA });
    const { ctx, set } = fakeCtx();
    const session = await store.get(ctx, 'session');
    session.values.user = 'ada';
    await session.save();
    session.values.user = undefined;
    await session.save();
    assert.equal(set.size, 1);
  });

  test('values replaced by a Map is ERR_DATA_INVALID, not a session silently emptied', async () => {
    const store = new CookieStore({ keyring: ringA });
    const { ctx } = fakeCtx();
    const session = await store.get(ctx, 'session');
    session.values = { a: 1 };
    (session as { values: unknown }).values = new Map([['a', 1]]);
    await assert.rejects(session.save(), (e: unknown) => e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && /plain object \(got a Map\)/.test(e.message));
  });

  test('a flash JSON cannot hold as it is (a cycle, a Date, undefined) is refused by addFlash, not by a TypeError at the write', async () => {
    const store = new CookieStore({ keyring: ringA });
    const { ctx } = fakeCtx();
    const session = await store.get(ctx, 'session');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const invalid = (e: unknown) => e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && e.kind === 'usage';
    for (const bad of [cyclic, new Date(0), undefined, [Number.NaN]]) assert.throws(() => session.addFlash(bad as never), invalid);
    assert.deepEqual(session.flashes(), []);
    await session.save();
  });

  test('a subject that is not a string is refused when set, not sealed into a cookie that only the writing process can open', async () => {
    const store = new CookieStore({ keyring: ringA });
    const { ctx } = fakeCtx();
    const session = await store.get(ctx, 'session');
    for (const bad of [42, null, { id: 1 }]) {
      assert.throws(() => { (session as { subject: unknown }).subject = bad; }, (e: unknown) => e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && e.kind === 'usage' && /String\(user\.id\)/.test(e.message));
    }
    assert.equal(session.subject, undefined);
    session.subject = '42';
    assert.equal(session.subject, '42');
  });

  test('an authentic value that is not a session record gives a fresh session', async () => {
    const errors: string[] = [];
    const store = new CookieStore({ keyring: ringA, onDecodeError: (c) => { errors.push(c); } });
    const { CookieCodec } = await import('../../src/codec/cookie-codec.js');
    const foreign = await new CookieCodec({ keyring: ringA }).encode('__Host-session', [1, 2, 3]);
    const { ctx } = fakeCtx({ '__Host-session': foreign });
    assert.equal((await store.get(ctx, 'session')).isNew, true);
    assert.deepEqual(errors, ['ERR_COOKIE_MALFORMED']);
  });

  test('a session too large even for the codec is ERR_SESSION_TOO_LARGE', async () => {
    const store = new CookieStore<{ big?: string }>({ keyring: ringA, chunking: { maxChunks: 50 } });
    const { ctx } = fakeCtx();
    const session = await store.get(ctx, 'session');
    session.values.big = 'x'.repeat(300_000);
    await assert.rejects(session.save(), (e: unknown) => e instanceof SessionTooLargeError && e.limit === 50 * 4096 && e.size > e.limit);
  });

  test('rejects a session name that is not a cookie name when it is asked for', async () => {
    const store = new CookieStore({ keyring: ringA });
    const { ctx } = fakeCtx();
    await assert.rejects(store.get(ctx, 'my session'), (e: unknown) => e instanceof SessionError && e.code === 'ERR_COOKIE_NAME_INVALID');
    assert.equal((await store.get(ctx, 'ok')).isNew, true);
  });

  test('exposes its keyring and the full cookie name', () => {
    const store = new CookieStore({ keyring: ringA, cookie: { prefix: '__Secure-' } });
    assert.equal(store.keyring, ringA);
    assert.equal(store.cookieName('cart'), '__Secure-cart');
  });
});

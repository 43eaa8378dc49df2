// CookieStore's guards one by one, on a fake request that records every cookie it is asked to
// set or delete, in order: the size bounds and their error codes, which cookies and chunks a
// write or a destroy touches (and which it leaves alone), the envelope expiry of a cached value,
// and the reload after a keyring swap. Each test was checked to fail with the guard broken.
import { afterEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { swapRingDuring } from '../helpers/ring-swap.js';
import { chunkCookieName } from '../../src/cookie/chunk.js';
import { SessionError, type DecodeErrorCode } from '../../src/errors.js';
import { generateKey } from '../../src/keys/generate.js';
import { Keyring } from '../../src/keys/keyring.js';
import { CookieStore, type CookieStoreOptions } from '../../src/session/cookie-store/cookie-store.js';
import type { Session } from '../../src/session/core/session.js';
import type { BeforeSendHook, SessionContext } from '../../src/session/core/types.js';

type Values = { n?: number; big?: string };

const keyA = generateKey('a');
const keyB = generateKey('b');
const ringA = await Keyring.create([keyA]);
const ringB = await Keyring.create([keyB]);
const ringBA = await Keyring.create([keyB, keyA]); // b seals, a still opens
const T0 = 1_800_000_000_000;
const COOKIE = '__Host-session';

afterEach(() => mock.restoreAll());

type Op = { op: 'set' | 'delete'; name: string; value?: string };

/** A request carrying `cookies`, recording what the store stages; `send()` runs the commit hooks. */
function request(cookies: Record<string, string> = {}) {
  const ops: Op[] = [];
  const hooks: BeforeSendHook[] = [];
  const ctx: SessionContext = {
    cookies: Object.assign(Object.create(null) as Record<string, string>, cookies),
    setCookie: (name, value) => { ops.push({ op: 'set', name, value }); },
    deleteCookie: (name) => { ops.push({ op: 'delete', name }); },
    onBeforeSend: (hook) => { hooks.push(hook); },
  };
  const send = async () => { for (const hook of hooks.splice(0)) await hook(); };
  /** The cookies the browser holds after this response, starting from what it sent. */
  const jar = () => {
    const next: Record<string, string> = { ...cookies };
    for (const o of ops) {
      if (o.op === 'set') next[o.name] = o.value as string;
      else delete next[o.name];
    }
    return next;
  };
  return { ctx, ops, send, jar };
}

function setup(options: Partial<CookieStoreOptions> = {}) {
  const clock = { now: T0 };
  const errors: { code: DecodeErrorCode; detail: string | undefined }[] = [];
  const store = new CookieStore<Values>({
    keyring: ringA, now: () => clock.now, onDecodeError: (code, detail) => { errors.push({ code, detail }); }, ...options,
  });
  return { store, clock, errors };
}

/** The cookies a fresh session holding `values` is written as. */
async function cookiesOf(store: CookieStore<Values>, values: Values): Promise<Record<string, string>> {
  const r = request();
  const session = await store.get(r.ctx, 'session');
  Object.assign(session.values, values);
  await r.send();
  return r.jar();
}

test('a cached read whose revocation hooks answer at once hands the session over in the same turn, a revoked one included', async () => {
  const revoked = new Set<string>();
  const { store, errors } = setup({ isRevoked: ({ id }) => revoked.has(id), notValidBefore: () => undefined });
  const cookies = await cookiesOf(store, { n: 1 });
  await store.get(request(cookies).ctx, 'session'); // opened once: the verified cache knows it now
  /** The session `store.get` hands over within one microtask turn, or undefined if it is not there yet. */
  const oneTurn = async (): Promise<Session<Values> | undefined> => {
    let handed: Session<Values> | undefined;
    void store.get(request(cookies).ctx, 'session').then((session) => { handed = session; });
    await null;
    return handed;
  };
  const open = await oneTurn();
  assert.equal(open?.values.n, 1, 'no promise between the hooks and the session');
  revoked.add(open.id);
  const refused = await oneTurn();
  assert.equal(refused?.isNew, true);
  assert.equal(errors.at(-1)?.code, 'ERR_SESSION_REVOKED');
});

test('a revocation hook that throws fails the read with its error, on a cache hit as on a miss, and nothing is written', async () => {
  let fail = false;
  const unavailable = () => { throw new Error('revocation list unavailable'); };
  const { store } = setup({ isRevoked: () => (fail ? unavailable() : false) });
  const cookies = await cookiesOf(store, { n: 1 }); // this store wrote it, so its cache knows it
  fail = true;
  const cold = new CookieStore<Values>({ keyring: ringA, now: () => T0, isRevoked: unavailable });
  for (const [which, s] of [['hit', store], ['miss', cold]] as const) {
    const r = request(cookies);
    await assert.rejects(s.get(r.ctx, 'session'), /revocation list unavailable/, which);
    await r.send();
    assert.deepEqual(r.ops, [], which);
  }
});

test('a session destroyed in this request cannot be saved', async () => {
  const { store } = setup();
  const r = request();
  const session = await store.get(r.ctx, 'session');
  await store.destroy(r.ctx, session);
  await assert.rejects(store.save(r.ctx, session), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_DESTROYED');
});

test('a session whose key left the ring mid-request ends at its save, says why, and cannot be saved again', async () => {
  const { store, errors } = setup();
  const cookies = await cookiesOf(store, { n: 1 });
  const r = request(cookies);
  const session = await store.get(r.ctx, 'session');
  store.keyring = ringB; // key a retired (leaked) while the request runs
  session.values.n = 2;
  await store.save(r.ctx, session as Session<Values>);
  assert.deepEqual(errors, [{ code: 'ERR_COOKIE_KEY_UNKNOWN', detail: 'the key that opened this session left the keyring while the request ran' }]);
  assert.deepEqual(r.jar(), {}, 'the cookie is deleted, not re-sealed under the new primary');
  // The seal above ended before its first await: nothing may be left marked as in flight.
  await assert.rejects(store.save(r.ctx, session), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_DESTROYED');
});

test('a first visit that only reads the session sends no Set-Cookie', async () => {
  const { store } = setup();
  const r = request();
  const session = await store.get(r.ctx, 'session');
  assert.equal(session.values.n, undefined);
  await r.send();
  assert.deepEqual(r.ops, []);
});

test('a read of a valid cookie that needs no renewal sends no Set-Cookie', async () => {
  const { store, clock } = setup();
  const cookies = await cookiesOf(store, { n: 1 });
  clock.now += 1000;
  const r = request(cookies);
  assert.equal((await store.get(r.ctx, 'session')).values.n, 1);
  await r.send();
  assert.deepEqual(r.ops, []);
});

test('changing a session and then destroying it writes no cookie for it', async () => {
  const { store } = setup();
  const cookies = await cookiesOf(store, { n: 1 });
  const r = request(cookies);
  const session = await store.get(r.ctx, 'session');
  session.values.n = 2;
  await session.destroy();
  try {
    session.values.n = 3; // a late write to a destroyed session is not a new cookie either
  } catch {
    // refusing it is fine too
  }
  await r.send();
  assert.deepEqual(r.jar(), {});
  assert.equal(r.ops.some((o) => o.op === 'set'), false);
});

test('a session renewed by an explicit save is not sealed again by the auto-commit', async () => {
  const { store } = setup();
  const cookies = await cookiesOf(store, { n: 1 });
  store.keyring = ringBA; // the cookie's key a is no longer primary: this response renews it
  const r = request(cookies);
  const session = await store.get(r.ctx, 'session');
  await session.save();
  await r.send();
  assert.equal(r.ops.filter((o) => o.op === 'set' && o.name === COOKIE).length, 1);
});

test('a plain cookie written earlier in the request is deleted when the session grows into chunks', async () => {
  const { store } = setup({ chunking: { maxChunks: 3 } });
  const r = request();
  const session = await store.get(r.ctx, 'session');
  session.values.n = 1;
  await session.save();
  session.values.big = 'x'.repeat(6000);
  await session.save();
  await r.send();
  assert.deepEqual(Object.keys(r.jar()).sort(), [chunkCookieName(COOKIE, 0), chunkCookieName(COOKIE, 1)]);
});

test('a plain cookie the request carried is deleted when the session grows into chunks', async () => {
  const { store } = setup({ chunking: { maxChunks: 3 } });
  const cookies = await cookiesOf(store, { n: 1 });
  const r = request(cookies);
  const session = await store.get(r.ctx, 'session');
  session.values.big = 'x'.repeat(6000);
  await r.send();
  assert.deepEqual(Object.keys(r.jar()).sort(), [chunkCookieName(COOKIE, 0), chunkCookieName(COOKIE, 1)]);
});

test('chunks written for a new session delete no plain cookie the browser does not hold, then or at a destroy', async () => {
  const { store } = setup({ chunking: { maxChunks: 3 } });
  const r = request();
  const session = await store.get(r.ctx, 'session');
  session.values.big = 'x'.repeat(6000);
  await session.save();
  assert.equal(r.ops.some((o) => o.name === COOKIE), false);
  await session.destroy();
  assert.equal(r.ops.some((o) => o.name === COOKIE), false);
  assert.deepEqual(r.jar(), {});
});

test('a session that shrinks from three chunks to two deletes the third', async () => {
  const { store } = setup({ chunking: { maxChunks: 3 } });
  const cookies = await cookiesOf(store, { big: 'x'.repeat(9000) });
  assert.equal(Object.keys(cookies).length, 3);
  const r = request(cookies);
  const session = await store.get(r.ctx, 'session');
  session.values.big = 'x'.repeat(5000);
  await r.send();
  assert.deepEqual(Object.keys(r.jar()).sort(), [chunkCookieName(COOKIE, 0), chunkCookieName(COOKIE, 1)]);
});

test('a session too large for one cookie without chunking says to turn chunking on', async () => {
  const { store } = setup();
  const r = request();
  const session = await store.get(r.ctx, 'session');
  session.values.big = 'x'.repeat(5000);
  await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE' && /turn on chunking: true/.test(err.message));
});

test('a session too large for every chunk says to raise maxChunks', async () => {
  const { store } = setup({ chunking: { maxChunks: 2 } });
  const r = request();
  const session = await store.get(r.ctx, 'session');
  session.values.big = 'x'.repeat(12_000);
  await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE' && /raise chunking\.maxChunks/.test(err.message));
});

test('a session past what the codec seals at all is too large, with the advice of its chunking setting', async () => {
  for (const [chunking, advice] of [[false, /turn on chunking: true/], [{ maxChunks: 3 }, /raise chunking\.maxChunks/]] as const) {
    const { store } = setup({ chunking });
    const r = request();
    const session = await store.get(r.ctx, 'session');
    session.values.big = 'x'.repeat(210_000);
    await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE' && advice.test(err.message));
  }
});

test('a save refused by the codec as too large is not tried again by the auto-commit', async () => {
  const { store } = setup();
  const r = request();
  const session = await store.get(r.ctx, 'session');
  session.values.big = 'x'.repeat(210_000);
  await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE');
  await r.send(); // would throw the same error again
  assert.deepEqual(r.ops, []);
});

test('more chunks than maxChunks are refused as malformed, not joined', async () => {
  const { store, errors } = setup({ chunking: { maxChunks: 2 } });
  // In the writer's layout (full chunks, then a short last one) and small enough in total for
  // two chunks' limit: only the count is wrong.
  const room = 4096 - chunkCookieName(COOKIE, 1).length;
  const cookies: Record<string, string> = {};
  for (let i = 0; i < 2; i++) cookies[chunkCookieName(COOKIE, i)] = 'x'.repeat(room);
  cookies[chunkCookieName(COOKIE, 2)] = 'x'.repeat(10);
  const session = await store.get(request(cookies).ctx, 'session');
  assert.equal(session.isNew, true);
  assert.deepEqual(errors, [{ code: 'ERR_COOKIE_MALFORMED', detail: 'chunks missing, too many, or not in the layout this store writes' }]);
});

test('chunks whose joined value would fit one cookie (4096 bytes with the name) are refused as not written by this store', async () => {
  const { store, errors } = setup({ chunking: { maxChunks: 2 } });
  // The writer's layout: a full first chunk (4096 bytes with its name '__Host-session.1'-long),
  // then the rest; together exactly 4096 bytes with the plain cookie's name.
  const room = 4096 - chunkCookieName(COOKIE, 1).length;
  const total = 4096 - COOKIE.length;
  const cookies = { [chunkCookieName(COOKIE, 0)]: 'x'.repeat(room), [chunkCookieName(COOKIE, 1)]: 'x'.repeat(total - room) };
  await store.get(request(cookies).ctx, 'session');
  assert.deepEqual(errors, [{ code: 'ERR_COOKIE_MALFORMED', detail: 'chunks holding a value that fits one cookie' }]);
});

test('a cookie one byte over 4096 with its name is refused as too large before decoding; at 4096 it is decoded', async () => {
  const { store, errors } = setup();
  await store.get(request({ [COOKIE]: 'x'.repeat(4097 - COOKIE.length) }).ctx, 'session');
  await store.get(request({ [COOKIE]: 'x'.repeat(4096 - COOKIE.length) }).ctx, 'session');
  assert.equal(errors[0]?.code, 'ERR_COOKIE_TOO_LARGE');
  assert.notEqual(errors[1]?.code, 'ERR_COOKIE_TOO_LARGE');
  assert.equal(errors.length, 2);
});

test('a sealed value whose payload is not a session record is refused, saying so in the detail', async () => {
  const { store, errors } = setup();
  const codec = new CookieCodec({ keyring: ringA, mode: 'sealed', now: () => T0 });
  const value = await codec.encode(COOKIE, ['not', 'a', 'record']);
  const session = await store.get(request({ [COOKIE]: value }).ctx, 'session');
  assert.equal(session.isNew, true);
  assert.deepEqual(errors, [{ code: 'ERR_COOKIE_MALFORMED', detail: 'payload is not a session record' }]);
});

test('an authentic record with a creation time or flashes of the wrong shape is refused like any malformed payload', async () => {
  // Made with the key (another version of the app, say): the creation time feeds every timeout
  // sum, and flashes() hands its list to the page; a string there was a 500 in the reference app.
  const codec = new CookieCodec({ keyring: ringA, mode: 'sealed', now: () => T0 });
  const base = { i: 'id', c: T0, v: {} };
  for (const odd of [{ c: 1e300 }, { c: -1 }, { c: 8.64e15 + 1 }, { c: Number.NaN }, { c: '1' }, { f: { _flash: 'str' } }, { f: ['a'] }, { f: null }]) {
    const { store, errors } = setup();
    const session = await store.get(request({ [COOKIE]: await codec.encode(COOKIE, { ...base, ...odd }) }).ctx, 'session');
    assert.equal(session.isNew, true, JSON.stringify(odd));
    assert.deepEqual(errors, [{ code: 'ERR_COOKIE_MALFORMED', detail: 'payload is not a session record' }], JSON.stringify(odd));
  }
  const { store, errors } = setup();
  // A fractional creation time is a clock's, not a forgery: performance.timeOrigin + performance.now().
  const fine = await store.get(request({ [COOKIE]: await codec.encode(COOKIE, { ...base, c: T0 + 0.25, f: { _flash: ['hi'], error: [] } }) }).ctx, 'session');
  assert.equal(fine.isNew, false);
  assert.deepEqual(fine.flashes(), ['hi']);
  assert.deepEqual(errors, []);
});

test('an internal Web Crypto failure while opening a cookie is thrown, not passed off as a bad cookie', async () => {
  const cookies = await cookiesOf(setup().store, { n: 1 });
  const { store, errors } = setup({ cache: false });
  mock.method(CookieCodec.prototype, 'decode', () => Promise.reject(new SessionError('ERR_CRYPTO', 'internal', 'Web Crypto failed to decrypt')));
  await assert.rejects(store.get(request(cookies).ctx, 'session'), (err: unknown) => err instanceof SessionError && err.code === 'ERR_CRYPTO');
  assert.deepEqual(errors, [], 'not reported as a decode error either');
});

test('a cached value past its envelope expiry is refused as expired, at the expiry second', async () => {
  // Sealed by an instance with a short idle timeout, read by one with a longer timeout: only
  // the envelope's own expiry (100 s) ends it, and the reader has it cached from its first read.
  const writer = setup({ idleTimeout: 100 }).store;
  const cookies = await cookiesOf(writer, { n: 1 });
  const { store, clock, errors } = setup({ idleTimeout: 1000 });
  clock.now = T0 + 10_000;
  assert.equal((await store.get(request(cookies).ctx, 'session')).values.n, 1);
  clock.now = T0 + 99_000;
  assert.equal((await store.get(request(cookies).ctx, 'session')).values.n, 1);
  clock.now = T0 + 100_000;
  assert.equal((await store.get(request(cookies).ctx, 'session')).isNew, true);
  assert.deepEqual(errors.map((e) => e.code), ['ERR_COOKIE_EXPIRED']);
});

test('a session sealed again after a rotation mid-seal keeps its lifetime in the envelope', async () => {
  const { store } = setup({ idleTimeout: 100 });
  const seen = swapRingDuring(store, 'encodeJson', [ringBA]);
  const cookies = await cookiesOf(store, { n: 1 });
  assert.equal(seen.calls, 2);
  mock.restoreAll();
  const reader = new CookieCodec({ keyring: ringBA, mode: 'sealed', now: () => T0 });
  const decoded = await reader.decode(COOKIE, cookies[COOKIE] as string);
  assert.equal(decoded.keyId, 'b');
  assert.equal(decoded.expiresAt, T0 + 100_000);
});

test('a cookie refused by a ring replaced while it was opened is opened again under the new ring', async () => {
  const writer = setup({ keyring: ringB, cache: false }).store;
  const cookies = await cookiesOf(writer, { n: 7 });
  const { store } = setup({ cache: false }); // ring a only: key b unknown
  swapRingDuring(store, 'decode', [ringBA]);
  assert.equal((await store.get(request(cookies).ctx, 'session')).values.n, 7);
});

test('a keyring replaced during each of three loads in a row is refused after exactly three', async () => {
  const { store, errors } = setup({ cache: false });
  const cookies = await cookiesOf(store, { n: 1 });
  // Five distinct rings that all hold key a: a fourth attempt would open the cookie.
  const rings = await Promise.all([1, 2, 3, 4, 5].map(() => Keyring.create([keyA])));
  const seen = swapRingDuring(store, 'decode', rings);
  const session = await store.get(request(cookies).ctx, 'session');
  assert.equal(session.isNew, true);
  assert.equal(seen.calls, 3);
  assert.deepEqual(errors, [{ code: 'ERR_COOKIE_KEY_UNKNOWN', detail: 'the keyring was replaced during every attempt to open the cookie' }]);
});

test('the cookie name is the prefix, then the name, for any name asked for first', () => {
  const { store } = setup({ cookie: { prefix: '', secure: false } });
  assert.equal(store.cookieName(''), '');
  assert.equal(store.cookieName('a'), 'a');
});

test('a session of exactly 4096 bytes with its name is one cookie, not chunks, and not too large', async () => {
  // Search the padding that seals to exactly 4096 bytes (name + value): sizes step by 1 or 2.
  for (const chunking of [false, { maxChunks: 3 }] as const) {
    const { store } = setup({ chunking });
    let found: Record<string, string> | undefined;
    for (let k = 2900; k < 3000 && found === undefined; k++) {
      for (const n of [undefined, 1]) {
        const r = request();
        const session = await store.get(r.ctx, 'session');
        session.values.big = 'x'.repeat(k);
        if (n !== undefined) session.values.n = n;
        try {
          await session.save();
        } catch (err) {
          if (!(err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE')) throw err;
          delete session.values.big;
          delete session.values.n;
          continue;
        }
        const value = r.jar()[COOKIE];
        if (value !== undefined && COOKIE.length + value.length === 4096) found = r.jar();
        if (found !== undefined) break;
      }
    }
    assert.ok(found !== undefined, 'some padding seals to exactly 4096 bytes');
    assert.deepEqual(Object.keys(found), [COOKIE]);
  }
});

test('an internal Web Crypto failure while sealing is thrown as it is, not reported as a session too large', async () => {
  const { store } = setup();
  mock.method(CookieCodec.prototype, 'encodeJson', () => Promise.reject(new SessionError('ERR_CRYPTO', 'internal', 'Web Crypto failed to encrypt')));
  const r = request();
  const session = await store.get(r.ctx, 'session');
  session.values.n = 1;
  await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_CRYPTO');
});

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SessionError } from '../../src/errors.js';
import { type RecordBackend, type StoredRecord, storeUnavailable } from '../../src/session/server-store/stored-record.js';
import type { ServerStoreOptions, SessionInfo } from '../../src/session/server-store/server-store-options.js';
import type { SessionContext } from '../../src/session/core/types.js';
import { Browser, serve, setCookieFor } from './harness.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { fake, TestServerStore, testKeyring } from './server-store-fixture.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';

const keyring = await testKeyring();

describe('ServerSideStore session management', () => {
  const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
  let clock = T0;
  let decodeErrors: string[] = [];
  let decodeDetails: { code: string; detail: string | undefined }[] = [];
  let servers: { close: () => Promise<void>; errors: unknown[] }[] = [];
  afterEach(async () => {
    for (const s of servers) await s.close();
    servers = [];
  });

  type V = { n?: number };
  async function setup(backend: RecordBackend = new MemoryRecords({ maxEntries: 100, now: () => clock })) {
    clock = T0;
    decodeErrors = [];
    decodeDetails = [];
    const store = new TestServerStore<V>(backend, {
      keyring, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => clock,
      onDecodeError: (code, detail) => { decodeErrors.push(code); decodeDetails.push({ code, detail }); },
    });
    const server = await serve(async (ctx) => {
      const session = await store.get(ctx, 'session');
      const q = ctx.url.searchParams;
      switch (ctx.url.pathname) {
        case '/login': session.regenerate(); session.subject = q.get('user') ?? 'alice'; return session.id;
        case '/inc': session.values.n = (session.values.n ?? 0) + 1; return session.id;
        case '/mine': return store.list(session.subject ?? '', { current: session.id });
        case '/others-out': return store.revokeAll(session.subject ?? '', { except: session.id });
        case '/logout': await session.destroy(); return null;
        default: return { isNew: session.isNew, id: session.id, subject: session.subject ?? null };
      }
    });
    servers.push(server);
    const device = (ua: string) => {
      const b = new Browser(server.url);
      return { b, get: (path: string) => b.request(path, { headers: { 'user-agent': ua } }) };
    };
    return { store, server, device };
  }

  /**
   * One backend seen by two stores: `before`, on the old key alone, wrote session `s` (x = 1) and
   * its cookie; `rotated` (with `options`) has the new key as primary and the old one still in
   * the ring; `retired` is the ring without the old key. The clock is then 1 s later.
   */
  async function cookieBeforeRotation(options: Partial<ServerStoreOptions> = {}) {
    const { Keyring } = await import('../../src/keys/keyring.js');
    const backend = new MemoryRecords({ maxEntries: 10, now: () => clock });
    const old = { id: 'old', secret: 'b2xkIGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIGxvbmch' };
    const fresh = { id: 'new', secret: 'bmV3IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIGxvbmch' };
    const before = new TestServerStore(backend, { keyring: await Keyring.create([old]), now: () => clock });
    const ring = await Keyring.create([fresh, old]);
    const retired = await Keyring.create([fresh]); // `keys retire old`: for a swap while a request runs
    const rotated = new TestServerStore(backend, { keyring: ring, now: () => clock, ...options });
    clock = T0;
    const first = fake();
    (await before.get(first.ctx, 's')).values.x = 1;
    await first.send();
    const cookie = first.set.get('__Host-s') ?? '';
    clock += 1000;
    return { backend, before, ring, retired, rotated, cookie };
  }

  it('lists a subject\'s sessions with times, user agent and IP, the current one marked, most recent first', async () => {
    const { device } = await setup();
    const phone = device('Phone/1.0');
    const laptop = device('Laptop/2.0');
    const phoneId = (await phone.get('/login?user=alice')).body as string;
    clock += 5000;
    const laptopId = (await laptop.get('/login?user=alice')).body as string;
    await device('Other/1').get('/login?user=bob');
    const mine = (await laptop.get('/mine')).body as SessionInfo[];
    assert.deepEqual(mine, [
      { id: laptopId, subject: 'alice', createdAt: T0 + 5000, lastSeenAt: T0 + 5000, expiresAt: T0 + 5000 + 1_000_000, userAgent: 'Laptop/2.0', ip: '127.0.0.1', current: true },
      { id: phoneId, subject: 'alice', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 1_000_000, userAgent: 'Phone/1.0', ip: '127.0.0.1', current: false },
    ]);
  });

  it('revokes one session: its next request finds nothing', async () => {
    const { store, device } = await setup();
    const phone = device('Phone');
    const id = (await phone.get('/login?user=alice')).body as string;
    assert.equal(await store.revoke(id, { subject: 'mallory' }), false, 'not a session of that subject');
    assert.equal(await store.revoke(id, { subject: undefined }), false, 'a visitor without a subject owns nothing');
    assert.equal(((await phone.get('/read')).body as { isNew: boolean }).isNew, false);
    assert.equal(await store.revoke(id, { subject: 'alice' }), true);
    assert.equal(await store.revoke(id), false, 'already gone');
    assert.equal(await store.revoke('../../etc/passwd'), false);
    const after = await phone.get('/read');
    assert.equal((after.body as { isNew: boolean }).isNew, true);
    assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND']);
    // Authentic but dead: not deleted (a request from before a login must not delete the login's
    // cookie, docs/stores.md), and refused again on every request that still carries it.
    assert.deepEqual(setCookieFor(after, '__Host-session'), [], 'the dead cookie is neither deleted nor replaced');
    const again = await phone.get('/read');
    assert.equal((again.body as { isNew: boolean }).isNew, true, 'the revoked id is still refused');
    assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND', 'ERR_SESSION_NOT_FOUND']);
  });

  it('logs a subject out everywhere else, keeping the current device', async () => {
    const { store, device } = await setup();
    const [a, b, c] = [device('A'), device('B'), device('C')];
    await a.get('/login?user=alice');
    await b.get('/login?user=alice');
    await c.get('/login?user=alice');
    const bob = device('Bob');
    await bob.get('/login?user=bob');
    assert.equal((await a.get('/others-out')).body, 2);
    assert.equal(((await a.get('/read')).body as { isNew: boolean }).isNew, false);
    assert.equal(((await b.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.equal(((await c.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.equal(((await bob.get('/read')).body as { subject: string }).subject, 'bob');
    assert.equal(await store.revokeAll('alice', { except: [] }), 1);
    assert.equal(((await a.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.equal(await store.revokeAll('bob'), 1);
  });

  it('revokeAll keeps every session listed in an except array, and only those', async () => {
    const { store, device } = await setup();
    const [a, b, c] = [device('A'), device('B'), device('C')];
    const ids = [];
    for (const d of [a, b, c]) ids.push((await d.get('/login?user=alice')).body as string);
    assert.equal(await store.revokeAll('alice', { except: [ids[0]!, ids[2]!] }), 1);
    assert.equal(((await a.get('/read')).body as { isNew: boolean }).isNew, false);
    assert.equal(((await b.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.equal(((await c.get('/read')).body as { isNew: boolean }).isNew, false);
  });

  it('a visitor without a subject cannot revoke another subject-less session by its id', async () => {
    const { store, device } = await setup();
    const visitor = device('Visitor');
    const id = (await visitor.get('/inc')).body as string; // a session with values and no subject
    assert.equal(await store.revoke(id, { subject: undefined }), false);
    assert.equal(((await visitor.get('/read')).body as { isNew: boolean }).isNew, false);
    assert.equal(await store.revoke(id), true, 'without the subject option, the caller owns the decision');
  });

  it('refuses a session idle past a shortened timeout by the store\'s own clock, whatever the backend keeps', async () => {
    // A backend that never expires anything (a custom RecordBackend may not), and an idle timeout
    // shortened at a restart, so the cookie's own expiry is still ahead: the refusal then rests on
    // the store's check of the record's lastSeenAt (milliseconds) against its clock.
    const records = new Map<string, StoredRecord>();
    const keeping: RecordBackend = {
      get: async (id) => records.get(id),
      set: async (record, onlyIfExists) => {
        if (onlyIfExists === true && !records.has(record.id)) return false;
        records.set(record.id, record);
        return true;
      },
      delete: async (id) => records.delete(id),
      listBySubject: async (subject) => [...records.values()].filter((r) => r.subject === subject),
      deleteBySubject: async () => 0,
      close: async () => undefined,
    };
    const before = new TestServerStore<V>(keeping, { keyring, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => clock });
    clock = T0;
    const login = fake();
    const session = await before.get(login.ctx, 'session');
    session.subject = 'alice';
    await login.send();
    const cookie = login.set.get('__Host-session') ?? '';
    const codes: string[] = [];
    const after = new TestServerStore<V>(keeping, { keyring, idleTimeout: 100, absoluteTimeout: 10_000, now: () => clock, onDecodeError: (code) => { codes.push(code); } });
    clock += 99_000;
    assert.equal((await after.get(fake({ '__Host-session': cookie }).ctx, 'session')).subject, 'alice', 'idle 99 s of 100');
    clock += 2_000; // read, not written, at +99 s: idle 101 s since the login's write
    assert.equal((await after.get(fake({ '__Host-session': cookie }).ctx, 'session')).isNew, true);
    assert.deepEqual(codes, ['ERR_SESSION_IDLE_TIMEOUT']);
  });

  it('removes the record on destroy and on regenerate, so neither old id lingers in the list', async () => {
    const { store, device } = await setup();
    const a = device('A');
    const first = (await a.get('/login?user=alice')).body as string;
    const second = (await a.get('/login?user=alice')).body as string;
    assert.notEqual(first, second);
    assert.deepEqual((await store.list('alice')).map((s) => s.id), [second]);
    await a.get('/logout');
    assert.deepEqual(await store.list('alice'), []);
  });

  it('drops a session that timed out from the list and from storage', async () => {
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const { store, device } = await setup(backend);
    const a = device('A');
    await a.get('/login?user=alice');
    clock += 999_000;
    await a.get('/read'); // renewed: last seen moves
    assert.equal((await store.list('alice')).length, 1);
    clock += 1_000_000;
    assert.equal(((await a.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.deepEqual(await store.list('alice'), []);
    assert.equal(backend.size, 0);
  });

  it('deletes the record of a session the isRevoked hook refuses, so it leaves storage and the list at once', async () => {
    // Its TTL has hours to run: only the store's delete takes it out now.
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const revoked = new Set<string>();
    const store = new TestServerStore<V>(backend, { keyring, now: () => clock, isRevoked: ({ id }) => revoked.has(id) });
    const login = fake();
    const s1 = await store.get(login.ctx, 'session');
    s1.subject = 'alice';
    await login.send();
    assert.equal(backend.size, 1);
    revoked.add(s1.id);
    const next = fake({ '__Host-session': login.set.get('__Host-session') ?? '' });
    assert.equal((await store.get(next.ctx, 'session')).isNew, true);
    assert.equal(backend.size, 0);
    assert.deepEqual(await store.list('alice'), []);
    // The cookie is not deleted (a request from before a re-login must not delete the login's
    // cookie: docs/stores.md, "A refused cookie is not deleted"); it stays refused, its record gone.
    await next.send();
    assert.equal(next.set.has('__Host-session'), false, 'the refused cookie is not deleted');
    const again = fake({ '__Host-session': login.set.get('__Host-session') ?? '' });
    assert.equal((await store.get(again.ctx, 'session')).isNew, true, 'still refused on a later request');
  });

  /** alice signed in, and a second request of hers that has loaded her session and not yet answered. */
  async function aliceInFlight() {
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const { store } = await setup(backend);
    const login = fake();
    const s1 = await store.get(login.ctx, 'session');
    s1.subject = 'alice';
    await login.send();
    const cookie = { '__Host-session': login.set.get('__Host-session') ?? '' };
    const inFlight = fake(cookie);
    const session = await store.get(inFlight.ctx, 'session');
    return { backend, store, cookie, inFlight, session };
  }

  it('does not undo a revocation that happens while a request is in flight', async () => {
    const { backend, store, cookie, inFlight, session } = await aliceInFlight();
    session.values.n = 5; // the handler changes it...
    assert.equal(await store.revokeAll('alice'), 1); // ...while "log out everywhere" runs elsewhere
    await inFlight.send();
    assert.equal(inFlight.set.has('__Host-session'), false, 'nothing staged: the cookie is neither renewed nor deleted');
    assert.equal(session.destroyed, true, 'the session is over for the rest of the request');
    assert.deepEqual(await store.list('alice'), []);
    assert.ok(decodeErrors.includes('ERR_SESSION_NOT_FOUND'));
    const later = fake(cookie);
    assert.equal((await store.get(later.ctx, 'session')).isNew, true);
  });

  it('a regenerate() in flight when its session is revoked does not bring it back under a new id', async () => {
    const { backend, store, cookie, inFlight, session } = await aliceInFlight();
    assert.equal(await store.revokeAll('alice'), 1); // "log out everywhere" lands while the request runs
    session.regenerate(); // ...and then the handler renews the id, keeping the subject
    session.values.n = 1;
    await inFlight.send();
    assert.equal(inFlight.set.has('__Host-session'), false, 'nothing staged: no new id cookie, and no deletion');
    assert.deepEqual(await store.list('alice'), []);
    assert.equal(backend.size, 0, 'no record under the new id either');
    assert.ok(decodeErrors.includes('ERR_SESSION_NOT_FOUND'));
    assert.equal((await store.get(fake(cookie).ctx, 'session')).isNew, true, 'the revoked id is still refused');
  });

  it('a regenerate() whose write fails keeps the old session: the browser still holds it', async () => {
    const inner = new MemoryRecords({ maxEntries: 100, now: () => clock });
    let failWrites = false;
    const flaky: RecordBackend = {
      get: (id) => inner.get(id),
      set: (record, onlyIfExists) => (failWrites ? Promise.reject(storeUnavailable('Test', new Error('disk full'))) : inner.set(record, onlyIfExists)),
      delete: (id) => inner.delete(id),
      listBySubject: (subject) => inner.listBySubject(subject),
      deleteBySubject: (subject, except) => inner.deleteBySubject(subject, except),
      close: () => inner.close(),
    };
    const { store } = await setup(flaky);
    const first = fake();
    const s1 = await store.get(first.ctx, 'session');
    s1.values.n = 7;
    await first.send();
    const cookie = { '__Host-session': first.set.get('__Host-session') ?? '' };
    failWrites = true;
    const login = fake(cookie);
    const s2 = await store.get(login.ctx, 'session');
    s2.regenerate();
    s2.subject = 'alice';
    await assert.rejects(login.send(), { code: 'ERR_STORE_UNAVAILABLE' });
    failWrites = false;
    const again = fake(cookie);
    const s3 = await store.get(again.ctx, 'session');
    assert.equal(s3.isNew, false, 'the old record is still there');
    assert.equal(s3.values.n, 7);
  });

  it('caps a stored user agent at 512 characters', async () => {
    const { store, device } = await setup();
    await device('x'.repeat(5000)).get('/login?user=alice');
    assert.equal((await store.list('alice'))[0]?.userAgent?.length, 512);
  });

  it('rejects a validly signed value that is not a session id, and an id with no record', async () => {
    const { server } = await setup();
    const codec = new CookieCodec({ keyring, mode: 'signed', now: () => clock });
    const b = new Browser((server as unknown as { url: string }).url);
    for (const [value, code] of [
      [await codec.encode('__Host-session', '../../etc/passwd', { maxAge: 60 }), 'ERR_COOKIE_MALFORMED'],
      [await codec.encode('__Host-session', 'AAAAAAAAAAAAAAAAAAAAAA', { maxAge: 60 }), 'ERR_SESSION_NOT_FOUND'],
      [await codec.encode('__Host-other', 'AAAAAAAAAAAAAAAAAAAAAA', { maxAge: 60 }), 'ERR_COOKIE_TAMPERED'],
    ] as const) {
      decodeErrors = [];
      const r = await b.request('/read', { headers: { cookie: `__Host-session=${value}` } });
      assert.equal((r.body as { isNew: boolean }).isNew, true);
      assert.deepEqual(decodeErrors, [code]);
    }
  });

  it('ignores a stored record whose payload is not the session it claims to be', async () => {
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const { device } = await setup(backend);
    const a = device('A');
    const id = (await a.get('/inc')).body as string;
    const stored = (await backend.get(id)) as StoredRecord;
    await backend.set({ ...stored, data: { i: 'someone-else', c: T0, v: {} } });
    assert.equal(((await a.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND']);
    assert.equal(await backend.get(id), undefined, 'and deleted');
  });

  it('deletes a stored record whose data is no session at all: it is not listed, nor counted by revokeAll', async () => {
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const { store, device } = await setup(backend);
    const a = device('A');
    const id = (await a.get('/login?user=dave')).body as string;
    const stored = (await backend.get(id)) as StoredRecord;
    await backend.set({ ...stored, data: { hello: 'x' } });
    assert.equal(((await a.get('/read')).body as { isNew: boolean }).isNew, true);
    assert.deepEqual(await store.list('dave'), []);
    assert.equal(await store.revokeAll('dave'), 0);
  });

  it('lets a storage failure reach the handler as ERR_STORE_UNAVAILABLE, on load and on commit', async () => {
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const { device, server } = await setup(backend);
    const a = device('A');
    await a.get('/inc');
    const down = () => Promise.reject(storeUnavailable('Test', Object.assign(new Error('down'), { code: 'ECONNREFUSED' })));
    const real = { get: backend.get, set: backend.set };
    backend.get = down;
    assert.equal((await a.get('/read')).status, 500, 'the harness answers 500; the http app answers 503');
    backend.get = real.get;
    backend.set = down;
    assert.equal((await a.get('/inc')).status, 500);
    assert.deepEqual(server.errors.map((e) => (e as SessionError).code), ['ERR_STORE_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE']);
    server.errors.length = 0;
  });

  it('re-signs a cookie made with an old key on the same response, without rewriting the record', async () => {
    const { backend, ring, rotated, cookie } = await cookieBeforeRotation();
    const second = fake({ '__Host-s': cookie });
    const session = await rotated.get(second.ctx, 's');
    assert.equal(session.values.x, 1);
    const record = await backend.get(session.id);
    await second.send();
    const resigned = second.set.get('__Host-s') ?? '';
    assert.ok(resigned !== '' && resigned !== cookie, 'a new cookie was issued');
    const decoded = await new CookieCodec({ keyring: ring, mode: 'signed', now: () => clock }).decode('__Host-s', resigned);
    assert.equal(decoded.keyId, 'new', 'signed with the new primary key');
    assert.deepEqual(await backend.get(session.id), record, 'the record was not rewritten');
    const third = fake({ '__Host-s': resigned });
    assert.equal((await rotated.get(third.ctx, 's')).values.x, 1);
    await third.send();
    assert.equal(third.set.size, 0, 'nothing more to re-sign');
  });

  it('a changed session whose key left the ring while the request ran is dropped, not written and signed under the new key', async () => {
    // Re-signing it would launder a cookie forged with the retired (perhaps leaked) key into one
    // the new ring accepts: it ends as if it had come a moment later (CookieStore does the same).
    const { backend, rotated, retired, cookie } = await cookieBeforeRotation();
    const second = fake({ '__Host-s': cookie });
    const session = await rotated.get(second.ctx, 's');
    const before = await backend.get(session.id);
    rotated.keyring = retired;
    session.values.x = 2;
    await second.send();
    assert.equal(second.set.get('__Host-s'), '', 'the cookie is deleted, not re-signed');
    assert.deepEqual(await backend.get(session.id), before, 'the record was not rewritten');
    assert.equal(session.destroyed, true);
  });

  it('writes a changed session without sending its cookie again until the cookie lags by renewAfter of the idle timeout', async () => {
    // idleTimeout 1000 s, renewAfter 0.1 (the default): a cookie signed up to 100 s ago is kept.
    const backend = new MemoryRecords({ maxEntries: 10, now: () => clock });
    const { device } = await setup(backend);
    const d = device('UA/1');
    const first = await d.get('/inc');
    const id = first.body as string;
    assert.match(setCookieFor(first, '__Host-session')[0] ?? '', /Max-Age=1000/);
    clock += 60_000;
    const second = await d.get('/inc');
    assert.deepEqual(setCookieFor(second, '__Host-session'), [], 'the record changed; the cookie did not need to');
    const stored = await backend.get(id);
    assert.equal((stored?.data as { v: V }).v.n, 2, 'the record was written');
    assert.equal(stored?.expiresAt, clock + 1_000_000, 'and its expiry moved with the write');
    clock += 39_000; // 99 s after the cookie was signed
    assert.deepEqual(setCookieFor(await d.get('/inc'), '__Host-session'), []);
    clock += 2_000; // 101 s: a cookie signed now would outlive it by more than 100 s
    const renewed = setCookieFor(await d.get('/inc'), '__Host-session');
    assert.equal(renewed.length, 1, 'signed again once it lagged');
    assert.match(renewed[0] ?? '', /Max-Age=1000/);
    clock += 50_000;
    assert.deepEqual(setCookieFor(await d.get('/inc'), '__Host-session'), [], 'and kept again from then on');
    assert.equal(((await backend.get(id))?.data as { v: V }).v.n, 5, 'every write reached the record');
  });

  it('re-signs a kept cookie on an unchanged request once it lags, without rewriting the record', async () => {
    // Without this, a cookie kept by a write at 99 s would only be renewed with the record at
    // 199 s, and a user leaving at 198 s would lose the session after 802 s of inactivity: less
    // than the (1 − renewAfter) × idleTimeout = 900 s the renewal rule promises.
    const backend = new MemoryRecords({ maxEntries: 10, now: () => clock });
    const { device } = await setup(backend);
    const d = device('UA/1');
    const id = (await d.get('/inc')).body as string;
    clock += 99_000;
    assert.deepEqual(setCookieFor(await d.get('/inc'), '__Host-session'), [], 'kept by the write');
    const written = await backend.get(id);
    clock += 2_000;
    const read = await d.get('/');
    const resigned = setCookieFor(read, '__Host-session');
    assert.equal(resigned.length, 1, 'an unchanged request re-signs the lagging cookie');
    assert.match(resigned[0] ?? '', /Max-Age=1000/);
    assert.deepEqual(await backend.get(id), written, 'the record was not rewritten');
    clock += 2_000;
    assert.deepEqual(setCookieFor(await d.get('/'), '__Host-session'), [], 'and not again while it is fresh');
  });

  it('re-signs the cookie of a changed session at once when an old key signed it, or the id changed', async () => {
    const { backend, ring, rotated, cookie } = await cookieBeforeRotation();
    const second = fake({ '__Host-s': cookie });
    (await rotated.get(second.ctx, 's')).values.x = 2;
    await second.send();
    const resigned = second.set.get('__Host-s') ?? '';
    assert.ok(resigned !== '' && resigned !== cookie, 'a changed session signed by an old key gets a new cookie');
    assert.equal((await new CookieCodec({ keyring: ring, mode: 'signed', now: () => clock }).decode('__Host-s', resigned)).keyId, 'new');
    const third = fake({ '__Host-s': resigned });
    const session = await rotated.get(third.ctx, 's');
    session.regenerate();
    await third.send();
    const next = third.set.get('__Host-s') ?? '';
    assert.ok(next !== '' && next !== resigned, 'a regenerated session gets a cookie for its new id');
    const fourth = fake({ '__Host-s': next });
    assert.equal((await rotated.get(fourth.ctx, 's')).id, session.id);
  });

  it('records the first User-Agent when a header arrives as a list', async () => {
    const store = new TestServerStore(new MemoryRecords({ maxEntries: 10, now: () => clock }), { keyring, now: () => clock });
    const r = fake({}, { headers: { 'user-agent': ['First/1', 'Second/2'] }, ip: '198.51.100.1' });
    const session = await store.get(r.ctx, 's');
    session.subject = 'dave';
    await r.send();
    assert.deepEqual((await store.list('dave')).map((s) => [s.userAgent, s.ip]), [['First/1', '198.51.100.1']]);
    const bare = fake();
    const anonymous = await store.get(bare.ctx, 's');
    anonymous.subject = 'erin';
    await bare.send();
    assert.deepEqual((await store.list('erin')).map((s) => [s.userAgent, s.ip]), [[undefined, undefined]]);
  });

  it('sets Max-Age as CookieStore does: the time left, a fixed value, or none for a browser-session cookie', async () => {
    const maxAges: (number | undefined)[] = [];
    for (const maxAge of [undefined, 60, 'session'] as const) {
      const store = new TestServerStore(new MemoryRecords({ maxEntries: 10, now: () => clock }), {
        keyring, now: () => clock, idleTimeout: 1000, ...(maxAge === undefined ? {} : { cookie: { maxAge } }),
      });
      const hooks: (() => void | Promise<void>)[] = [];
      const ctx: SessionContext = {
        cookies: {},
        setCookie: (_name, _value, attributes) => { maxAges.push(attributes.maxAge); },
        deleteCookie: () => undefined,
        onBeforeSend: (hook) => { hooks.push(hook); },
      };
      (await store.get(ctx, 's')).values.x = 1;
      for (const h of hooks) await h();
    }
    assert.deepEqual(maxAges, [1000, 60, undefined]);
  });

  it('rejects a session name that is not a cookie name when it is asked for, as CookieStore does', async () => {
    const store = new TestServerStore(new MemoryRecords({ maxEntries: 10, now: () => clock }), { keyring, now: () => clock, cookie: { prefix: '__Secure-' } });
    await assert.rejects(store.get(fake().ctx, 'my session'), { code: 'ERR_COOKIE_NAME_INVALID', kind: 'usage' });
    assert.equal((await store.get(fake().ctx, 'ok')).isNew, true);
    assert.equal((await store.get(fake().ctx, 'ok')).isNew, true, 'a known name is not checked again');
    assert.equal(store.cookieName('cart'), '__Secure-cart');
  });

  it('refuses to save a destroyed session through the store directly', async () => {
    const store = new TestServerStore(new MemoryRecords({ maxEntries: 10, now: () => clock }), { keyring, now: () => clock });
    const r = fake();
    const session = await store.get(r.ctx, 's');
    await session.destroy();
    await assert.rejects(store.save(r.ctx, session), { code: 'ERR_SESSION_DESTROYED' });
  });

  it('says in onDecodeError\'s detail why an authentic id opened no session: a record that is not its session, or no record', async () => {
    const backend = new MemoryRecords({ maxEntries: 100, now: () => clock });
    const { device } = await setup(backend);
    const a = device('A');
    const id = (await a.get('/inc')).body as string;
    const stored = (await backend.get(id)) as StoredRecord;
    await backend.set({ ...stored, data: { hello: 'x' } });
    await a.get('/read'); // that record is deleted; the cookie stays (an authentic id's is never deleted)
    await a.get('/read');
    assert.deepEqual(decodeDetails, [
      { code: 'ERR_SESSION_NOT_FOUND', detail: 'the record for this id holds no session of its own: deleted' },
      { code: 'ERR_SESSION_NOT_FOUND', detail: 'no record for this id (destroyed, revoked, expired or evicted)' },
    ]);
  });

  it('says in onDecodeError\'s detail that the record went while the request ran, when a revocation beats its write', async () => {
    const { store, inFlight, session } = await aliceInFlight();
    session.values.n = 5;
    await store.revokeAll('alice');
    await inFlight.send();
    assert.deepEqual(decodeDetails, [{ code: 'ERR_SESSION_NOT_FOUND', detail: 'the record was removed while this request was in flight' }]);
  });

  it('a save() of a session whose key left the ring drops it, says why, and the auto-commit after it sends only the deletion', async () => {
    const details: { code: string; detail: string | undefined }[] = [];
    const { backend, rotated, retired, cookie } = await cookieBeforeRotation({ onDecodeError: (code, detail) => { details.push({ code, detail }); } });
    const second = fake({ '__Host-s': cookie });
    const session = await rotated.get(second.ctx, 's');
    const before = await backend.get(session.id);
    rotated.keyring = retired;
    session.values.x = 2;
    // This write ends before its first await: the session must not stay marked as being written,
    // or the auto-commit below waits for it forever (a loop of settled awaits, which hangs the test).
    await session.save();
    assert.equal(session.destroyed, true);
    await second.send();
    assert.equal(second.set.get('__Host-s'), '', 'the cookie is deleted, not re-signed');
    assert.deepEqual(await backend.get(session.id), before, 'the record was not rewritten');
    assert.deepEqual(details, [{ code: 'ERR_COOKIE_KEY_UNKNOWN', detail: 'the key that verified this session\'s cookie left the keyring while the request ran' }]);
  });

  it('a changed session whose ring gained a new primary while the request ran gets its cookie signed by that primary on this response', async () => {
    const { backend, before, ring, cookie } = await cookieBeforeRotation();
    const second = fake({ '__Host-s': cookie });
    const session = await before.get(second.ctx, 's'); // verified by the ring of 'old' alone: not stale
    before.keyring = ring; // 'new' primary, 'old' still in the ring
    session.values.x = 2;
    await second.send();
    const resigned = second.set.get('__Host-s') ?? '';
    assert.ok(resigned !== '' && resigned !== cookie, 'a new cookie was issued');
    assert.equal((await new CookieCodec({ keyring: ring, mode: 'signed', now: () => clock }).decode('__Host-s', resigned)).keyId, 'new');
    assert.equal(((await backend.get(session.id))?.data as { v: { x: number } }).v.x, 2);
  });

  it('keeps the cookie of a changed session at exactly renewAfter of the idle timeout, and signs it again once it lags past that', async () => {
    // idleTimeout 1000 s, renewAfter 0.1: at 100 s the cookie expires 900 s from now, which is
    // exactly renewAfter × idleTimeout before one signed now would: not yet more than that.
    const { device } = await setup();
    const d = device('UA/1');
    await d.get('/inc');
    clock += 100_000;
    assert.deepEqual(setCookieFor(await d.get('/inc'), '__Host-session'), [], 'kept at exactly 100 s');
    clock += 1000;
    assert.equal(setCookieFor(await d.get('/inc'), '__Host-session').length, 1, 'signed again at 101 s');
  });

  it('a cookie signed by an explicit save is not signed again by the auto-commit: when an old key signed it, and after regenerate()', async () => {
    const { rotated, cookie } = await cookieBeforeRotation();
    let value = cookie; // first the cookie 'old' signed (stale), then the one the save signs with 'new'
    for (const regenerate of [false, true]) {
      const r = fake({ '__Host-s': value });
      const writes: string[] = [];
      const setCookie = r.ctx.setCookie;
      r.ctx.setCookie = (name, v, attributes) => { writes.push(name); setCookie(name, v, attributes); };
      const session = await rotated.get(r.ctx, 's');
      if (regenerate) session.regenerate();
      session.values.x = regenerate ? 3 : 2;
      await session.save();
      await r.send();
      assert.deepEqual(writes, ['__Host-s'], regenerate ? 'after regenerate()' : 'a cookie an old key signed');
      value = r.set.get('__Host-s') ?? '';
    }
    assert.equal((await rotated.get(fake({ '__Host-s': value }).ctx, 's')).values.x, 3);
  });

  it('revoke answers false for a value that cannot be a session id without asking the backend, even while it is down', async () => {
    // The id comes from a form: garbage is "no such session", never a 503.
    const backend = new MemoryRecords({ maxEntries: 10, now: () => clock });
    const store = new TestServerStore(backend, { keyring, now: () => clock });
    let asked = 0;
    backend.get = () => { asked++; return Promise.reject(storeUnavailable('Test', new Error('down'))); };
    for (const id of ['../../etc/passwd', '', 'not an id']) assert.equal(await store.revoke(id), false, JSON.stringify(id));
    assert.equal(asked, 0);
  });

  it('a keyring replaced during the record lookup of three loads in a row is refused after exactly three; replaced during two, the third opens it', async () => {
    for (const swaps of [2, 3]) {
      const records = new MemoryRecords({ maxEntries: 10, now: () => clock });
      const details: { code: string; detail: string | undefined }[] = [];
      const store = new TestServerStore<V>(records, { keyring, now: () => clock, onDecodeError: (code, detail) => { details.push({ code, detail }); } });
      const login = fake();
      (await store.get(login.ctx, 's')).values.n = 1;
      await login.send();
      // Distinct rings that all hold the test key: the cookie is valid under each, so a fourth
      // attempt, or one not made again, would open it.
      const rings = await Promise.all(Array.from({ length: swaps }, () => testKeyring()));
      let lookups = 0;
      const get = records.get.bind(records);
      records.get = async (id) => {
        const record = await get(id);
        const next = rings[lookups++];
        if (next !== undefined) store.keyring = next;
        return record;
      };
      const session = await store.get(fake({ '__Host-s': login.set.get('__Host-s') ?? '' }).ctx, 's');
      assert.equal(lookups, 3, `${swaps} swaps`);
      if (swaps === 2) {
        assert.equal(session.values.n, 1, 'opened by the third attempt');
        assert.deepEqual(details, []);
      } else {
        assert.equal(session.isNew, true);
        assert.deepEqual(details, [{ code: 'ERR_COOKIE_KEY_UNKNOWN', detail: 'the keyring was replaced during every attempt to open the cookie' }]);
      }
    }
  });

  it('a value JSON cannot hold fails the auto-commit with ERR_DATA_INVALID', async () => {
    const store = new TestServerStore<{ n?: unknown }>(new MemoryRecords({ maxEntries: 10, now: () => clock }), { keyring, now: () => clock });
    const r = fake();
    (await store.get(r.ctx, 's')).values.n = 10n;
    await assert.rejects(r.send(), (e: unknown) => e instanceof SessionError && e.code === 'ERR_DATA_INVALID' && e.kind === 'usage');
  });
});

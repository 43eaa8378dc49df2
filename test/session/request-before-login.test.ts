// Regression: with a server-side store, a request still in flight from before a login undid the
// login. The login's regenerate() writes the record under a new id and deletes the old one; the
// request carrying the old id then found its record gone (at its write, or at its load) and
// staged the deletion of the session cookie, which in the browser by then held the new id: the user
// was logged out right after logging in. A correctly signed id whose record is missing now gets a
// fresh session and no deletion (docs/stores.md, "A refused cookie is not deleted"). The test
// decides every interleaving: it sends each request's response (its auto-commit) when it chooses,
// and holds the backend's load open where a load must straddle the login.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodeErrorCode } from '../../src/errors.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { fake, TestServerStore, testKeyring } from './server-store-fixture.js';
import { holdCalls } from './held-call.js';

type Values = { n?: number; user?: string };
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const COOKIE = '__Host-session';
const keyring = await testKeyring();

async function setup() {
  const backend = new MemoryRecords({ maxEntries: 100, now: () => T0 });
  const decodeErrors: DecodeErrorCode[] = [];
  const store = new TestServerStore<Values>(backend, {
    keyring, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => T0, onDecodeError: (code) => { decodeErrors.push(code); },
  });
  // The anonymous session the browser holds before the login: the old id X.
  const first = fake();
  (await store.get(first.ctx, 'session')).values.n = 1;
  await first.send();
  const old = first.set.get(COOKIE) ?? '';
  assert.ok(old);
  return { backend, store, decodeErrors, old };
}

/** How a login replaces the session: regenerate() alone, or destroy() first (the reference app's sign-in). */
const logins = {
  'regenerate()': async (session: { regenerate(): void }) => { session.regenerate(); },
  'destroy() then regenerate()': async (session: { destroy(): Promise<void>; regenerate(): void }) => { await session.destroy(); session.regenerate(); },
};

describe('a request in flight from before a login (server-side store)', () => {
  for (const [how, replace] of Object.entries(logins)) {
    /** Logs alice in on a request carrying `old`; resolves to the new id cookie it sent. */
    async function logIn(store: TestServerStore<Values>, old: string): Promise<string> {
      const login = fake({ [COOKIE]: old });
      const session = await store.get(login.ctx, 'session');
      await replace(session);
      session.subject = 'alice';
      session.values.user = 'alice';
      await login.send();
      const cookie = login.set.get(COOKIE) ?? '';
      assert.ok(cookie && cookie !== old, 'the login sent a new id cookie');
      return cookie;
    }

    async function assertStillLoggedIn(store: TestServerStore<Values>, cookie: string, old: string) {
      const later = await store.get(fake({ [COOKIE]: cookie }).ctx, 'session');
      assert.equal(later.subject, 'alice', 'the new cookie still opens the signed-in session');
      const replay = await store.get(fake({ [COOKIE]: old }).ctx, 'session');
      assert.equal(replay.isNew, true, 'the old id is still refused');
      assert.equal(replay.subject, undefined);
    }

    test(`a request that loaded the session before a login (${how}) and changed it does not delete the new session's cookie`, async () => {
      const { backend, store, decodeErrors, old } = await setup();
      const inFlight = fake({ [COOKIE]: old });
      const session = await store.get(inFlight.ctx, 'session');
      assert.equal(session.values.n, 1);
      session.values.n = 2; // the handler changes it...
      const cookie = await logIn(store, old); // ...while the login, in another request, replaces it
      await inFlight.send();
      assert.equal(inFlight.set.has(COOKIE), false, 'nothing staged for the cookie: no deletion, no new id');
      assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND'], 'the dropped write is still reported');
      assert.equal(backend.size, 1, 'no record written for the old id or a new one: only the login\'s');
      await assertStillLoggedIn(store, cookie, old);
    });

    test(`a request whose load straddles a login (${how}) does not delete the new session's cookie`, async () => {
      const { store, decodeErrors, old } = await setup();
      const inFlight = fake({ [COOKIE]: old });
      const held = holdCalls(MemoryRecords.prototype, 'get');
      let cookie: string;
      try {
        const loading = store.get(inFlight.ctx, 'session');
        await held.started; // the record was read before the login deleted it...
        cookie = await logIn(store, old);
        held.release(); // ...and is handed back after it
        const session = await loading;
        assert.equal(session.isNew, false);
        session.values.n = 2;
        await inFlight.send();
      } finally {
        held.release();
        held.restore();
      }
      assert.equal(inFlight.set.has(COOKIE), false, 'nothing staged for the cookie');
      assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND']);
      await assertStillLoggedIn(store, cookie, old);
    });

    test(`a request sent before a login (${how}) and loaded after it gets a fresh session and does not delete the new session's cookie`, async () => {
      const { store, decodeErrors, old } = await setup();
      const cookie = await logIn(store, old);
      const inFlight = fake({ [COOKIE]: old });
      const session = await store.get(inFlight.ctx, 'session');
      assert.equal(session.isNew, true, 'a fresh session, as before');
      assert.equal(session.values.n, undefined);
      await inFlight.send();
      assert.equal(inFlight.set.has(COOKIE), false, 'nothing staged for the cookie');
      assert.deepEqual(decodeErrors, ['ERR_SESSION_NOT_FOUND'], 'the missing record is still reported');
      await assertStillLoggedIn(store, cookie, old);
    });
  }

  test('a fresh session started from a dead id cookie replaces the cookie when it is saved, as any new session does', async () => {
    const { store, old } = await setup();
    await logIn0(store, old);
    const r = fake({ [COOKIE]: old });
    const session = await store.get(r.ctx, 'session');
    session.values.n = 7;
    await r.send();
    const replaced = r.set.get(COOKIE) ?? '';
    assert.ok(replaced && replaced !== old, 'a new id cookie');
    const next = await store.get(fake({ [COOKIE]: replaced }).ctx, 'session');
    assert.deepEqual([next.isNew, next.id === session.id, next.values.n], [false, true, 7]);
  });

  test('a cookie that fails verification is still deleted', async () => {
    const { store, decodeErrors, old } = await setup();
    const tampered = old.slice(0, -2) + (old.endsWith('AA') ? 'BB' : 'AA');
    const r = fake({ [COOKIE]: tampered });
    assert.equal((await store.get(r.ctx, 'session')).isNew, true);
    await r.send();
    assert.equal(r.set.get(COOKIE), '', 'deleted');
    assert.equal(decodeErrors.length, 1);
    assert.notEqual(decodeErrors[0], 'ERR_SESSION_NOT_FOUND', 'refused by the codec, not by a missing record');
  });
});

/** A login by regenerate() alone, for the cases that need one but not its variants. */
async function logIn0(store: TestServerStore<Values>, old: string): Promise<void> {
  const login = fake({ [COOKIE]: old });
  const session = await store.get(login.ctx, 'session');
  session.regenerate();
  session.subject = 'alice';
  await login.send();
}

// Regression: a request still in flight from before a login deleted the login's cookie when the
// cookie it carried was authentic but refused: revoked by the isRevoked hook (a re-login revokes
// the previous session, as the reference app does) or past its idle timeout. Its response staged
// the deletion of the session cookie, which the browser by then held with the new login: the user
// was logged out right after logging in. Such a cookie now gets a fresh session and no deletion
// (docs/stores.md, "A refused cookie is not deleted"), and stays refused on every later request.
// So does a value refused for its own times (expired, or issued in the future beyond the skew).
// The test decides every interleaving: it sends each response (its auto-commit) when it chooses,
// and holds the revocation hook's answer open where a load must straddle the login.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodeErrorCode } from '../../src/errors.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import type { Session } from '../../src/session/core/session.js';
import type { Store } from '../../src/session/core/types.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { fake, TestServerStore, testKeyring } from './server-store-fixture.js';

type Values = { n?: number; user?: string };
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const COOKIE = '__Host-session';
const keyring = await testKeyring();

/** A revocation list the test fills, whose next answer it can hold open (as a remote list's would be). */
function revocations() {
  const ids = new Set<string>();
  let held: { gate: Promise<void>; entered: () => void } | undefined;
  return {
    ids,
    isRevoked: (info: { id: string }): boolean | Promise<boolean> => {
      if (held === undefined) return ids.has(info.id);
      const { gate, entered } = held;
      held = undefined; // only this call waits
      entered();
      return gate.then(() => ids.has(info.id)); // answered from the list as it is on release
    },
    /** Holds the next call's answer until `release()`; `started` resolves once that call is made. */
    hold() {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      let entered!: () => void;
      const started = new Promise<void>((resolve) => { entered = resolve; });
      held = { gate, entered };
      return { started, release };
    },
  };
}

/** Signs alice in on a request carrying `old` (or none), as the reference app does: the previous session revoked, a new one. */
async function logIn(store: Store<Values>, old: string | undefined, revoked?: Set<string>): Promise<string> {
  const r = fake(old === undefined ? {} : { [COOKIE]: old });
  const session: Session<Values> = await store.get(r.ctx, 'session');
  if (!session.isNew) revoked?.add(session.id);
  session.regenerate();
  session.subject = 'alice';
  session.values.user = 'alice';
  await r.send();
  const cookie = r.set.get(COOKIE) ?? '';
  assert.ok(cookie && cookie !== old, 'the login sent a new cookie');
  return cookie;
}

async function assertSignedIn(store: Store<Values>, cookie: string) {
  const later = await store.get(fake({ [COOKIE]: cookie }).ctx, 'session');
  assert.equal(later.subject, 'alice', 'the new cookie still opens the signed-in session');
}

/** The old cookie is refused again on a later request (twice: the second is a verified-cache hit), and deletes nothing. */
async function assertStillRefused(store: Store<Values>, old: string) {
  for (let i = 0; i < 2; i++) {
    const r = fake({ [COOKIE]: old });
    const replay = await store.get(r.ctx, 'session');
    assert.deepEqual([replay.isNew, replay.subject, replay.values.n], [true, undefined, undefined], 'the old cookie is still refused');
    await r.send();
    assert.equal(r.set.has(COOKIE), false, 'and not deleted');
  }
}

type Options = ConstructorParameters<typeof CookieStore>[0];

/** Each kind makes a store maker for one test; the stores one maker makes share their data (keys; a backend). */
const stores: Record<string, () => (options: Options) => Store<Values>> = {
  CookieStore: () => (options) => new CookieStore<Values>(options),
  'ServerSideStore (Memory)': () => {
    let backend: MemoryRecords | undefined;
    return (options) => new TestServerStore<Values>(backend ??= new MemoryRecords({ maxEntries: 100, now: options.now ?? Date.now }), options);
  },
};

for (const [kind, maker] of Object.entries(stores)) {
  describe(`a request in flight across a login, carrying a cookie the store refuses (${kind})`, () => {
    test('a request whose revocation check straddles a re-login gets a fresh session and does not delete the new session\'s cookie', async () => {
      const decodeErrors: DecodeErrorCode[] = [];
      const list = revocations();
      const store = maker()({ keyring, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => T0, isRevoked: list.isRevoked, onDecodeError: (code) => { decodeErrors.push(code); } });
      const old = await logIn(store, undefined);
      await assertSignedIn(store, old); // (a CookieStore value now verified and cached)
      // The other tab's request: loaded, its revocation check not yet answered...
      const inFlight = fake({ [COOKIE]: old });
      const held = list.hold();
      const loading = store.get(inFlight.ctx, 'session');
      await held.started;
      // ...while alice signs in again on this tab: the previous session is revoked, a new one made.
      const cookie = await logIn(store, old, list.ids);
      held.release();
      const session = await loading;
      assert.equal(session.isNew, true, 'a fresh session: the old one is revoked');
      await inFlight.send();
      assert.equal(inFlight.set.has(COOKIE), false, 'nothing staged for the cookie: no deletion');
      assert.deepEqual(decodeErrors, ['ERR_SESSION_REVOKED'], 'the refusal is still reported');
      await assertSignedIn(store, cookie);
      await assertStillRefused(store, old);
    });

    test('a request refused for its idle timeout, answered after the login that follows, does not delete the new session\'s cookie', async () => {
      const decodeErrors: DecodeErrorCode[] = [];
      let clock = T0;
      const options = { keyring, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => clock, onDecodeError: (code: DecodeErrorCode) => { decodeErrors.push(code); } };
      const create = maker();
      let store = create(options);
      const old = await logIn(store, undefined);
      // A session's cookie value (sealed session or signed id) expires with its idle timeout, so
      // an unexpired value past its idle timeout comes after a restart that shortened the timeout
      // (same keys, same backend); the expired value has a test of its own below.
      clock += 200_000;
      store = create({ ...options, idleTimeout: 100 });
      const inFlight = fake({ [COOKIE]: old }); // the other tab's poll, loaded first...
      const session = await store.get(inFlight.ctx, 'session');
      assert.equal(session.isNew, true, 'a fresh session: the old one timed out');
      const cookie = await logIn(store, old); // ...answered after the user has signed in again
      await inFlight.send();
      assert.equal(inFlight.set.has(COOKIE), false, 'nothing staged for the cookie: no deletion');
      assert.equal(decodeErrors[0], 'ERR_SESSION_IDLE_TIMEOUT', 'the timeout is still reported');
      await assertSignedIn(store, cookie);
      await assertStillRefused(store, old);
    });

    // A value refused for its own times was deleted, though no attack makes one: a browser whose
    // clock is behind still sends a cookie the server finds expired, and a 'session' cookie
    // outlives its value. A request carrying it, answered after a login, deleted the login's cookie.
    test('a request carrying a cookie expired as a value, answered after the login that follows, does not delete the new session\'s cookie', async () => {
      const decodeErrors: DecodeErrorCode[] = [];
      let clock = T0;
      const store = maker()({ keyring, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => clock, onDecodeError: (code: DecodeErrorCode) => { decodeErrors.push(code); } });
      const old = await logIn(store, undefined);
      clock += 10_000_000; // past the value's own expiry (its absolute timeout, even)
      const inFlight = fake({ [COOKIE]: old });
      assert.equal((await store.get(inFlight.ctx, 'session')).isNew, true);
      const cookie = await logIn(store, old);
      await inFlight.send();
      assert.equal(inFlight.set.has(COOKIE), false, 'nothing staged for the cookie: no deletion');
      // Named by the codec (ERR_COOKIE_EXPIRED), or by its timeout when the value is in CookieStore's
      // verified cache (which the write filled), as docs/sessions.md says.
      assert.ok(['ERR_COOKIE_EXPIRED', 'ERR_SESSION_ABSOLUTE_TIMEOUT'].includes(decodeErrors[0] ?? ''), `the refusal is still reported (${String(decodeErrors[0])})`);
      await assertSignedIn(store, cookie);
      await assertStillRefused(store, old);
    });

    // Two instances of a fleet, the same keys (and backend): one whose clock runs an hour ahead
    // issues a value the other finds issued in the future, past the clock skew it allows.
    test('a value issued in the future beyond the clock skew gets a fresh session, is not deleted, and opens once the clocks agree', async () => {
      const decodeErrors: DecodeErrorCode[] = [];
      let clock = T0;
      const create = maker();
      const ahead = create({ keyring, idleTimeout: 7200, absoluteTimeout: 86_400, now: () => clock + 3_600_000 });
      const here = create({ keyring, idleTimeout: 7200, absoluteTimeout: 86_400, now: () => clock, onDecodeError: (code: DecodeErrorCode) => { decodeErrors.push(code); } });
      const cookie = await logIn(ahead, undefined);
      const r = fake({ [COOKIE]: cookie });
      assert.equal((await here.get(r.ctx, 'session')).isNew, true);
      await r.send();
      assert.equal(r.set.has(COOKIE), false, 'the cookie is left in place');
      assert.deepEqual(decodeErrors, ['ERR_COOKIE_NOT_YET_VALID']);
      clock += 3_600_000;
      await assertSignedIn(here, cookie);
    });
  });
}

test('a sealed cookie past its idle timeout and expired as a value is not deleted either, from the verified cache as from a decode', async () => {
  for (const cache of [true, false]) {
    const decodeErrors: DecodeErrorCode[] = [];
    let clock = T0;
    const store = new CookieStore<Values>({ keyring, cache, idleTimeout: 1000, absoluteTimeout: 10_000, now: () => clock, onDecodeError: (code) => { decodeErrors.push(code); } });
    const old = await logIn(store, undefined);
    clock += 1000_000;
    const r = fake({ [COOKIE]: old });
    assert.equal((await store.get(r.ctx, 'session')).isNew, true);
    await r.send();
    assert.equal(r.set.has(COOKIE), false, `not deleted (cache ${cache})`);
    // The code stays what it was: the cache knows the timeout, a decode only the expiry.
    assert.deepEqual(decodeErrors, [cache ? 'ERR_SESSION_IDLE_TIMEOUT' : 'ERR_COOKIE_EXPIRED']);
  }
});

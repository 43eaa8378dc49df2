// Issue #13, section 2: a keyring replaced (SIGHUP after `keys retire`) while a load or a write
// is awaiting. Each test holds one crypto call or hook open with a promise it controls, swaps the
// ring, then lets the call finish: the interleaving is decided here, never by timing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { CookieStore, type CookieStoreOptions } from '../../src/session/cookie-store/cookie-store.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { SessionIdCookie } from '../../src/session/server-store/session-id-cookie.js';
import type { DecodeErrorCode } from '../../src/errors.js';
import { fake, TestServerStore } from './server-store-fixture.js';
import { holdCalls } from './held-call.js';

type Values = { user?: string };
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const now = () => T0;
const COOKIE = '__Host-session';

const leaked = generateKey('a'); // the key an attacker holds, retired because of it
const fresh = generateKey('b');
const ringA = await Keyring.create([leaked]);
const ringBA = await Keyring.create([fresh, leaked]); // rotated: a still opens old cookies
const ringB = await Keyring.create([fresh]); // a retired

/** A cookie sealed with the leaked key, as an attacker would make it. */
async function forge(options: Partial<CookieStoreOptions> = {}): Promise<string> {
  const attacker = new CookieStore<Values>({ keyring: ringA, now, ...options });
  const r = fake();
  const session = await attacker.get(r.ctx, 'session');
  session.subject = 'admin';
  session.values.user = 'admin';
  await r.send();
  return r.set.get(COOKIE) ?? '';
}

function cookieStore(options: Partial<CookieStoreOptions> = {}) {
  const errors: DecodeErrorCode[] = [];
  const store = new CookieStore<Values>({ keyring: ringBA, now, onDecodeError: (code) => { errors.push(code); }, ...options });
  return { store, errors };
}

/** One request carrying `value`: the session it got and what it staged. */
async function request(store: Pick<CookieStore<Values>, 'get'>, value: string) {
  const r = fake({ [COOKIE]: value });
  const session = await store.get(r.ctx, 'session');
  await r.send();
  return { session, set: r.set };
}

/** What both stores share here: a keyring to swap, and sessions to load. */
type SwappableStore = Pick<CookieStore<Values>, 'get' | 'keyring'>;

/**
 * Loads `forged` (made with the leaked key) with its decode held open, retires that key meanwhile
 * (`keys retire a` + SIGHUP: the ring becomes [b]), then lets the decode finish: the cookie must be
 * refused, deleted rather than re-issued under b, and not cached (the same cookie again is refused).
 */
async function refusedAcrossRetire(store: SwappableStore, errors: readonly DecodeErrorCode[], forged: string): Promise<void> {
  const held = holdCalls(CookieCodec.prototype, 'decode');
  try {
    const r = fake({ [COOKIE]: forged });
    const loading = store.get(r.ctx, 'session');
    await held.started; // the decode began under [b, a], where a still opens
    store.keyring = ringB;
    held.release();
    const session = await loading;
    await r.send();
    assert.equal(session.isNew, true);
    assert.equal(session.subject, undefined);
    assert.deepEqual(errors, ['ERR_COOKIE_KEY_UNKNOWN']);
    assert.equal(r.set.get(COOKIE), '', 'the forged cookie is deleted, not re-issued under b');
  } finally {
    held.restore();
  }
  assert.equal((await request(store, forged)).session.isNew, true, 'and it was not cached');
}

describe('CookieStore: a keyring swapped while a load awaits', () => {
  for (const cache of [true, false]) {
    test(`a forged cookie made with a leaked key is refused after retire + SIGHUP, and never re-issued under the new key (cache: ${cache})`, async () => {
      const forged = await forge();
      const { store, errors } = cookieStore({ cache });
      await refusedAcrossRetire(store, errors, forged);
    });
  }

  test('a cookie the cache verified before the swap is refused when the ring changes while the revocation hook awaits', async () => {
    const forged = await forge();
    let release!: () => void;
    let hold = false;
    let entered!: () => void;
    const started = new Promise<void>((resolve) => { entered = resolve; });
    const { store, errors } = cookieStore({
      isRevoked: () => {
        if (!hold) return false;
        entered();
        return new Promise<boolean>((resolve) => { release = () => resolve(false); });
      },
    });
    // Accepted under [b, a] (a was not known to be leaked yet) and so cached as verified.
    assert.equal((await request(store, forged)).session.isNew, false);
    hold = true;
    const r = fake({ [COOKIE]: forged });
    const loading = store.get(r.ctx, 'session');
    await started; // a cache hit, now waiting for the app's revocation hook
    store.keyring = ringB;
    hold = false;
    release();
    const session = await loading;
    await r.send();
    assert.equal(session.isNew, true);
    assert.equal(errors.at(-1), 'ERR_COOKIE_KEY_UNKNOWN');
    assert.equal(r.set.get(COOKIE), '', 'deleted, not re-sealed under b');
  });

  test('a cookie whose key stays in the new ring still opens when the swap lands during its decode', async () => {
    const { store, errors } = cookieStore({ keyring: ringA });
    const first = fake();
    (await store.get(first.ctx, 'session')).values.user = 'ada';
    await first.send();
    const cookie = first.set.get(COOKIE) ?? '';
    const held = holdCalls(CookieCodec.prototype, 'decode');
    const cold = new CookieStore<Values>({ keyring: ringA, now, cache: false });
    try {
      const r = fake({ [COOKIE]: cookie });
      const loading = cold.get(r.ctx, 'session');
      await held.started;
      cold.keyring = ringBA; // a new primary; a still opens
      held.release();
      const session = await loading;
      await r.send();
      assert.equal(session.values.user, 'ada');
      assert.ok(r.set.get(COOKIE)?.startsWith('1s.b.'), 're-sealed under the new primary, as for any rotation');
    } finally {
      held.restore();
    }
    assert.deepEqual(errors, []);
  });

  test('a session opened with a key retired while the handler ran is not re-sealed under the new key', async () => {
    const forged = await forge();
    const { store, errors } = cookieStore();
    const r = fake({ [COOKIE]: forged });
    const session = await store.get(r.ctx, 'session');
    assert.equal(session.subject, 'admin'); // accepted: a was still in the ring
    store.keyring = ringB; // retired before the response went out
    session.values.user = 'admin2';
    await r.send();
    assert.equal(r.set.get(COOKIE), '', 'deleted, not re-sealed under b');
    assert.deepEqual(errors, ['ERR_COOKIE_KEY_UNKNOWN']);
    assert.equal(session.destroyed, true);
  });
});

describe('CookieStore: a keyring swapped while a write awaits', () => {
  test('a seal begun under the old ring is sealed again under the new primary, and only that value is cached', async () => {
    const { store } = cookieStore({ keyring: ringA });
    const held = holdCalls(CookieCodec.prototype, 'encodeJson');
    let value: string;
    try {
      const r = fake();
      (await store.get(r.ctx, 'session')).values.user = 'ada';
      const sending = r.send();
      await held.started; // sealing under a
      store.keyring = ringB; // a retired
      held.release();
      await sending;
      value = r.set.get(COOKIE) ?? '';
    } finally {
      held.restore();
    }
    assert.ok(value.startsWith('1s.b.'), `sealed under b, got ${value.slice(0, 5)}`);
    const decode = holdCalls(CookieCodec.prototype, 'decode', 0);
    try {
      const again = await request(store, value);
      assert.equal(again.session.values.user, 'ada');
      assert.equal(decode.calls, 0, 'the value sealed under b was cached');
    } finally {
      decode.restore();
    }
  });
});

describe('ServerSideStore: a keyring swapped while a load awaits', () => {
  async function setup() {
    const errors: DecodeErrorCode[] = [];
    const store = new TestServerStore<Values>(new MemoryRecords({ maxEntries: 100, now }), { keyring: ringBA, now, onDecodeError: (code) => { errors.push(code); } });
    // A real session, whose id the attacker learnt (e.g. from a "your active sessions" page).
    const first = fake();
    const session = await store.get(first.ctx, 'session');
    session.subject = 'victim';
    await first.send();
    const forged = await new SessionIdCookie({ keyring: ringA, cache: false, maxAge: 3600, now }).sign(COOKIE, session.id, 3600);
    return { store, errors, forged, id: session.id };
  }

  test('an id cookie forged with a leaked key is refused after retire + SIGHUP, and never re-signed under the new key', async () => {
    const { store, errors, forged } = await setup();
    await refusedAcrossRetire(store, errors, forged);
  });

  test('an id cookie verified before the swap is refused when the ring changes while the record is fetched', async () => {
    const { store, errors, forged } = await setup();
    assert.equal((await request(store, forged)).session.subject, 'victim'); // accepted and cached under [b, a]
    const held = holdCalls(MemoryRecords.prototype, 'get');
    try {
      const r = fake({ [COOKIE]: forged });
      const loading = store.get(r.ctx, 'session');
      await held.started; // a cache hit, now waiting for the backend
      store.keyring = ringB;
      held.release();
      const session = await loading;
      await r.send();
      assert.equal(session.isNew, true);
      assert.equal(errors.at(-1), 'ERR_COOKIE_KEY_UNKNOWN');
      assert.equal(r.set.get(COOKIE), '');
    } finally {
      held.restore();
    }
  });

  test('a session verified with a key retired while the handler ran is not re-signed under the new key', async () => {
    const { store, errors, forged } = await setup();
    const r = fake({ [COOKIE]: forged });
    const session = await store.get(r.ctx, 'session');
    assert.equal(session.subject, 'victim');
    store.keyring = ringB;
    await r.send(); // stale (signed with a): would be re-signed with b
    assert.equal(r.set.get(COOKIE), '');
    assert.deepEqual(errors, ['ERR_COOKIE_KEY_UNKNOWN']);
  });

  test('an id signed while the ring is swapped is signed again under the new primary', async () => {
    const store = new TestServerStore<Values>(new MemoryRecords({ maxEntries: 100, now }), { keyring: ringA, now });
    const held = holdCalls(CookieCodec.prototype, 'encode');
    try {
      const r = fake();
      (await store.get(r.ctx, 'session')).values.user = 'ada';
      const sending = r.send();
      await held.started;
      store.keyring = ringB;
      held.release();
      await sending;
      const value = r.set.get(COOKIE) ?? '';
      assert.ok(value.startsWith('1m.b.'), `signed under b, got ${value.slice(0, 5)}`);
      assert.equal((await request(store, value)).session.values.user, 'ada');
    } finally {
      held.restore();
    }
  });
});

// SessionIdCookie on its own: the signed id cookie of the server-side stores, its verified-value
// cache, and what happens when the keyring is replaced while a value is being checked or signed.
// The store tests reach it only through whole requests; these pin its bounds one by one.
import { afterEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { swapRingDuring } from '../helpers/ring-swap.js';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { randomId } from '../../src/session/core/session-record.js';
import { SessionIdCookie } from '../../src/session/server-store/session-id-cookie.js';

const T0 = 1_800_000_000_000; // whole seconds: the codec's times are in seconds
const NAME = '__Host-sid';

afterEach(() => mock.restoreAll());

async function setup(cache = true) {
  const k1 = generateKey('k1');
  const k2 = generateKey('k2');
  const clock = { now: T0 };
  const both = await Keyring.create([k1, k2]);
  const onlyK2 = await Keyring.create([k2]);
  const ids = new SessionIdCookie({ keyring: await Keyring.create([k1]), cache, maxAge: 86_400, now: () => clock.now });
  /** Another instance on the same keys with no cache: it answers from the signature alone. */
  const fresh = new SessionIdCookie({ keyring: both, cache: false, maxAge: 86_400, now: () => clock.now });
  return { ids, fresh, clock, both, onlyK2, k1, k2 };
}

test('a cached id is answered only for the cookie name it was signed for', async () => {
  const { ids } = await setup();
  const id = randomId();
  const value = await ids.sign(NAME, id, 600);
  assert.equal(ids.cached(NAME, value, T0)?.ok, true);
  assert.equal(ids.cached('__Host-other', value, T0), undefined);
  const other = await ids.verify('__Host-other', value, T0);
  assert.equal(other.ok, false, 'the signature binds the name, and the cache must not answer for another');
});

test('a signed value is answered from the cache for its whole life, and not at its expiry', async () => {
  const { ids } = await setup();
  const value = await ids.sign(NAME, randomId(), 10);
  assert.equal(ids.cached(NAME, value, T0 + 9_999)?.ok, true);
  assert.equal(ids.cached(NAME, value, T0 + 10_000), undefined, 'expired at exactly its expiry');
});

test('a value signed for a short life expires then, not at the codec\'s maxAge', async () => {
  const { ids, fresh, clock } = await setup();
  const value = await ids.sign(NAME, randomId(), 10);
  clock.now = T0 + 10_000;
  const found = await fresh.verify(NAME, value, clock.now);
  assert.equal(found.ok, false);
  assert.equal(found.ok === false && found.code, 'ERR_COOKIE_EXPIRED');
});

test('a value signed again after a key rotation mid-sign keeps the short life and the new primary', async () => {
  const { ids, fresh, clock, onlyK2 } = await setup();
  const seen = swapRingDuring(ids, 'encode', [onlyK2]);
  const value = await ids.sign(NAME, randomId(), 10);
  assert.equal(seen.calls, 2, 'signed again under the new ring');
  const now = await fresh.verify(NAME, value, clock.now);
  assert.equal(now.ok && now.keyId, 'k2', 'the new primary signs');
  mock.restoreAll();
  clock.now = T0 + 10_000;
  const later = await fresh.verify(NAME, value, clock.now);
  assert.equal(later.ok === false && later.code, 'ERR_COOKIE_EXPIRED');
});

test('forget drops a value from the cache', async () => {
  const { ids } = await setup();
  const value = await ids.sign(NAME, randomId(), 600);
  ids.forget(value);
  assert.equal(ids.cached(NAME, value, T0), undefined);
});

test('a signed value that is not a session id is refused as malformed, saying so in the detail', async () => {
  const { fresh } = await setup();
  const signer = new SessionIdCookie({ keyring: fresh.keyring, cache: false, maxAge: 86_400, now: () => T0 });
  const value = await signer.sign(NAME, 'not an id', 600);
  const found = await fresh.verify(NAME, value, T0);
  assert.deepEqual(found, { ok: false, code: 'ERR_COOKIE_MALFORMED', detail: 'the signed value is not a session id' });
});

test('a keyring replaced while a value is verified: the value is checked again under the new ring', async () => {
  const { ids, both } = await setup(false);
  const signer = new SessionIdCookie({ keyring: ids.keyring, cache: false, maxAge: 86_400, now: () => T0 });
  const value = await signer.sign(NAME, randomId(), 600);
  const seen = swapRingDuring(ids, 'decode', [both]);
  const found = await ids.verify(NAME, value, T0);
  assert.equal(found.ok, true, 'the new ring still holds the key');
  assert.equal(seen.calls, 2);
});

test('a key retired by the replacement no longer vouches for a value it was checking', async () => {
  const { ids, onlyK2 } = await setup(false);
  const value = await ids.sign(NAME, randomId(), 600);
  swapRingDuring(ids, 'decode', [onlyK2]);
  const found = await ids.verify(NAME, value, T0);
  assert.equal(found.ok, false);
  assert.equal(found.ok === false && found.code, 'ERR_COOKIE_KEY_UNKNOWN');
});

test('a keyring replaced during each of three attempts in a row is refused after exactly three', async () => {
  const { ids, k1 } = await setup(false);
  const value = await ids.sign(NAME, randomId(), 600);
  // Five distinct rings, each holding k1: any attempt past the third would answer ok.
  const rings = await Promise.all([1, 2, 3, 4, 5].map(() => Keyring.create([k1])));
  const seen = swapRingDuring(ids, 'decode', rings);
  const found = await ids.verify(NAME, value, T0);
  assert.deepEqual(found, { ok: false, code: 'ERR_COOKIE_KEY_UNKNOWN', detail: 'the keyring was replaced during every attempt to verify the cookie' });
  assert.equal(seen.calls, 3);
});

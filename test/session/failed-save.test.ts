// Issue #13, section 4: a save that failed and that the handler caught (and answered, e.g. 413)
// is not tried again by the auto-commit before the headers; the cookie the request came with
// stays valid; a later change to the session is written as usual.
import { test, describe, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { SessionError } from '../../src/errors.js';
import type { Store } from '../../src/session/core/types.js';
import { fake, TestServerStore } from './server-store-fixture.js';

type Values = { n?: number; big?: string };
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const now = () => T0;
const COOKIE = '__Host-session';
const keyring = await Keyring.create([generateKey('k')]);

async function withCount(store: Store<Values>, n: number): Promise<string> {
  const r = fake();
  (await store.get(r.ctx, 'session')).values.n = n;
  await r.send();
  return r.set.get(COOKIE) ?? '';
}

async function read(store: Store<Values>, cookie: string) {
  const r = fake({ [COOKIE]: cookie });
  const session = await store.get(r.ctx, 'session');
  return { isNew: session.isNew, n: session.values.n ?? null, big: session.values.big?.length ?? null };
}

describe('CookieStore: a failed save the handler caught', () => {
  test('is not tried again before the headers, and the cookie the request came with stays valid', async () => {
    const store = new CookieStore<Values>({ keyring, now });
    const cookie = await withCount(store, 1);
    const r = fake({ [COOKIE]: cookie });
    const session = await store.get(r.ctx, 'session');
    session.values.big = 'x'.repeat(5000);
    await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE');
    await r.send(); // the app answered 413: the auto-commit must not throw it again
    assert.equal(r.set.has(COOKIE), false, 'no Set-Cookie: neither the oversized cookie nor a deletion');
    assert.deepEqual(await read(store, cookie), { isNew: false, n: 1, big: null }, 'the unsaved values are dropped; the previous cookie still opens');
  });

  test('is written by the auto-commit once the session changes again', async () => {
    const store = new CookieStore<Values>({ keyring, now });
    const cookie = await withCount(store, 1);
    const r = fake({ [COOKIE]: cookie });
    const session = await store.get(r.ctx, 'session');
    session.values.big = 'x'.repeat(5000);
    await assert.rejects(session.save());
    session.values.big = 'x'.repeat(100); // the handler shrank it
    await r.send();
    assert.deepEqual(await read(store, r.set.get(COOKIE) ?? ''), { isNew: false, n: 1, big: 100 });
  });

  test('a flash added after the failure counts as a change, and the write fails again loudly', async () => {
    const store = new CookieStore<Values>({ keyring, now });
    const r = fake();
    const session = await store.get(r.ctx, 'session');
    session.values.big = 'x'.repeat(5000);
    await assert.rejects(session.save());
    session.addFlash('note');
    await assert.rejects(r.send(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE');
  });

  test('an explicit save() after the failure tries again', async () => {
    const store = new CookieStore<Values>({ keyring, now });
    const r = fake();
    const session = await store.get(r.ctx, 'session');
    session.values.big = 'x'.repeat(5000);
    await assert.rejects(session.save());
    await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_TOO_LARGE');
  });
});

describe('ServerSideStore: a failed save the handler caught', () => {
  test('is not tried again before the headers, and the record and cookie the request came with stay', async () => {
    const records = new MemoryRecords({ maxEntries: 100, now });
    const store = new TestServerStore<Values>(records, { keyring, now });
    const cookie = await withCount(store, 1);
    let failures = 0;
    const set = mock.method(MemoryRecords.prototype, 'set', async () => {
      failures++;
      throw new SessionError('ERR_STORE_UNAVAILABLE', 'internal', 'storage is down');
    });
    try {
      const r = fake({ [COOKIE]: cookie });
      const session = await store.get(r.ctx, 'session');
      session.values.n = 2;
      await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_STORE_UNAVAILABLE');
      await r.send(); // the app answered 503 itself: not turned into a 500
      assert.equal(failures, 1, 'the failed write was not tried again');
      assert.equal(r.set.has(COOKIE), false);
    } finally {
      set.mock.restore();
    }
    assert.deepEqual(await read(store, cookie), { isNew: false, n: 1, big: null });
  });
});

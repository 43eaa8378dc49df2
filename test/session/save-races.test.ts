// Issue #13, section 3: changes made while a save is in flight. The encryption (or the backend
// write) of an un-awaited save() is held open by the test while the handler goes on changing the
// session; then the auto-commit runs and the held call is released.
import { test, describe, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import type { Store } from '../../src/session/core/types.js';
import { SessionIdCookie } from '../../src/session/server-store/session-id-cookie.js';
import { fake, TestServerStore } from './server-store-fixture.js';
import { holdCalls } from './held-call.js';

type Values = { user?: string };
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const now = () => T0;
const COOKIE = '__Host-session';
const k = generateKey('k');
const keyring = await Keyring.create([k]);

/** A request with `cookie` that records every value staged for the session cookie, in order. */
function requestWith(cookie: string | undefined) {
  const r = fake(cookie === undefined ? {} : { [COOKIE]: cookie });
  const staged: string[] = [];
  const setCookie = r.ctx.setCookie;
  r.ctx.setCookie = (name, value, attributes) => {
    if (name === COOKIE) staged.push(value);
    setCookie(name, value, attributes);
  };
  return { ...r, staged };
}

async function loginAlice(store: Store<Values>): Promise<string> {
  const r = fake();
  const session = await store.get(r.ctx, 'session');
  session.regenerate();
  session.subject = 'alice';
  session.values.user = 'alice';
  await r.send();
  return r.set.get(COOKIE) ?? '';
}

/**
 * The handler: save() not awaited, then regenerate(), subject = 'bob' and a flash, while
 * the first write is held open by `held`; the auto-commit runs, then the held write is released.
 * `started()` counts the write operations begun (encryptions, backend calls): the auto-commit must
 * begin none while the first write is in flight, or the two finish in either order and the older
 * may be the cookie that goes out (deterministically checked here, whatever the thread pool does).
 */
async function saveThenSwitchToBob(store: Store<Values>, cookie: string, held: { started: Promise<void>; release(): void }, started: () => number) {
  const r = requestWith(cookie);
  const session = await store.get(r.ctx, 'session');
  assert.equal(session.subject, 'alice');
  const aliceId = session.id;
  const saving = session.save(); // not awaited: the handler goes on
  await held.started;
  session.regenerate();
  session.subject = 'bob';
  session.values.user = 'bob';
  session.addFlash('welcome bob');
  const before = started();
  const sending = r.send(); // the handler returned: auto-commit before the headers
  assert.equal(started(), before, 'the auto-commit waits for the write in flight instead of writing beside it');
  held.release();
  await sending;
  await saving;
  return { session, aliceId, final: r.set.get(COOKIE) ?? '', staged: r.staged };
}

/** What a request presenting `cookie` to `store` sees. */
async function read(store: Store<Values>, cookie: string) {
  const r = fake({ [COOKIE]: cookie });
  const session = await store.get(r.ctx, 'session');
  return { isNew: session.isNew, id: session.id, subject: session.subject, user: session.values.user, flashes: session.flashes() };
}

describe('a change made while a save is sealing', () => {
  for (const cache of [true, false]) {
    test(`save() not awaited, then regenerate(), subject = 'bob' and a flash: the cookie that goes out says bob, with the new id, and every process agrees (cache: ${cache})`, async () => {
      const store = new CookieStore<Values>({ keyring, now, cache });
      const other = new CookieStore<Values>({ keyring, now, cache: false }); // another worker
      const cookie = await loginAlice(store);
      const held = holdCalls(CookieCodec.prototype, 'encodeJson');
      let outcome;
      try {
        outcome = await saveThenSwitchToBob(store, cookie, held, () => held.calls);
      } finally {
        held.restore();
      }
      const { session, aliceId, final, staged } = outcome;
      assert.notEqual(session.id, aliceId);
      assert.equal(staged.length, 2, 'the save, then the commit of what changed during it');
      const expected = { isNew: false, id: session.id, subject: 'bob', user: 'bob', flashes: ['welcome bob'] };
      assert.deepEqual(await read(other, final), expected, 'another process');
      assert.deepEqual(await read(store, final), expected, 'this process (its cache)');
      // The first value describes exactly what it sealed, in this process and in any other.
      const first = { isNew: false, id: aliceId, subject: 'alice', user: 'alice', flashes: [] };
      assert.deepEqual(await read(other, staged[0] ?? ''), first);
      assert.deepEqual(await read(store, staged[0] ?? ''), first);
    });
  }

  test('a change made while an awaited save seals stays dirty afterwards', async () => {
    const store = new CookieStore<Values>({ keyring, now });
    const cookie = await loginAlice(store);
    const held = holdCalls(CookieCodec.prototype, 'encodeJson');
    try {
      const r = requestWith(cookie);
      const session = await store.get(r.ctx, 'session');
      session.values.user = 'alice2';
      const saving = session.save();
      await held.started;
      session.values.user = 'alice3';
      session.addFlash('later');
      held.release();
      await saving;
      assert.equal(session.changed, true, 'alice3 and the flash are not in the sealed cookie');
      assert.deepEqual(await read(store, r.staged[0] ?? ''), { isNew: false, id: session.id, subject: 'alice', user: 'alice2', flashes: [] });
    } finally {
      held.restore();
    }
  });
});

describe('a destroy() that lands while a save is sealing', () => {
  for (const cache of [true, false]) {
    test(`the cookie's deletion goes out, not the value sealed before the logout (cache: ${cache})`, async () => {
      const store = new CookieStore<Values>({ keyring, now, cache });
      const cookie = await loginAlice(store);
      const held = holdCalls(CookieCodec.prototype, 'encodeJson');
      try {
        const r = requestWith(cookie);
        const session = await store.get(r.ctx, 'session');
        session.addFlash('bye'); // a change, so the save has something to seal
        const saving = session.save(); // not awaited, as an adapter's commit is not awaited by the handler
        await held.started; // the seal began with alice in it
        await session.destroy(); // the logout
        held.release();
        await saving;
        await r.send();
        assert.deepEqual(r.staged, [], 'nothing sealed was staged over the deletion');
        assert.equal(r.set.get(COOKIE), '', 'the deletion is what goes out');
        assert.equal(session.destroyed, true);
      } finally {
        held.restore();
      }
    });
  }
});

describe('a destroy() that lands while a server-side save is writing', () => {
  test('after regenerate(), the record written under the new id is deleted too and the id cookie is not staged over the deletion: the logout holds', async () => {
    const records = new MemoryRecords({ maxEntries: 100, now });
    const store = new TestServerStore<Values>(records, { keyring, now });
    const other = new TestServerStore<Values>(records, { keyring, now, cache: false }); // another worker, same backend
    const cookie = await loginAlice(store);
    // The signature of the new id's cookie is the write's last await: the record under the new id
    // is stored and the old one deleted by then.
    const held = holdCalls(SessionIdCookie.prototype, 'sign');
    try {
      const r = requestWith(cookie);
      const session = await store.get(r.ctx, 'session');
      const aliceId = session.id;
      session.regenerate(); // a privilege change
      const saving = session.save(); // not awaited
      await held.started;
      const newId = session.id;
      assert.notEqual(await records.get(newId), undefined, 'the new record is stored before the signature');
      await session.destroy(); // the logout
      held.release();
      await saving;
      await r.send();
      assert.equal(await records.get(newId), undefined, 'no record is left under the new id');
      assert.equal(await records.get(aliceId), undefined);
      assert.deepEqual(await store.list('alice'), [], 'alice has no live session left');
      assert.deepEqual(r.staged, [], 'no id cookie was staged over the deletion');
      assert.equal(r.set.get(COOKIE), '', 'the deletion is what goes out');
      assert.equal((await read(other, cookie)).isNew, true, 'the cookie the browser held opens nothing');
    } finally {
      held.restore();
    }
  });

  test('a destroy() during the first write of a new session deletes the record that write stored: nothing is left to list', async () => {
    const records = new MemoryRecords({ maxEntries: 100, now });
    const store = new TestServerStore<Values>(records, { keyring, now });
    const held = holdCalls(MemoryRecords.prototype, 'set');
    try {
      const r = requestWith(undefined);
      const session = await store.get(r.ctx, 'session');
      session.subject = 'alice';
      const saving = session.save(); // not awaited
      await held.started;
      const id = session.id;
      assert.notEqual(await records.get(id), undefined, 'the record is stored before the destroy');
      await session.destroy(); // nothing stored yet as far as the session knows: it deletes no record itself
      held.release();
      await saving;
      await r.send();
      assert.equal(await records.get(id), undefined, 'no record is left under its id');
      assert.deepEqual(await store.list('alice'), []);
      assert.deepEqual(r.staged, [], 'no id cookie was staged');
    } finally {
      held.restore();
    }
  });

  test('a write that finds its record deleted by a destroy() that landed meanwhile ends quietly: the logout is not reported as a lost record', async () => {
    const records = new MemoryRecords({ maxEntries: 100, now });
    const reports: string[] = [];
    const store = new TestServerStore<Values>(records, { keyring, now, onDecodeError: (code) => { reports.push(code); } });
    const cookie = await loginAlice(store);
    // This write reaches the backend only after the logout's delete, so it finds no record to update.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let reached!: () => void;
    const writing = new Promise<void>((resolve) => { reached = resolve; });
    const set = records.set.bind(records);
    records.set = async (record, onlyIfExists) => { reached(); await gate; return set(record, onlyIfExists); };
    const r = requestWith(cookie);
    const session = await store.get(r.ctx, 'session');
    session.values.user = 'alice2';
    const saving = session.save(); // not awaited
    await writing;
    await session.destroy();
    release();
    await saving;
    await r.send();
    assert.deepEqual(reports, []);
    assert.deepEqual(r.staged, [], 'no id cookie was staged over the deletion');
    assert.equal(r.set.get(COOKIE), '', 'the deletion is what goes out');
    assert.deepEqual(await store.list('alice'), []);
  });

  test('a destroy() during the auto-commit\'s re-signature after a key rotation keeps the deletion', async () => {
    const records = new MemoryRecords({ maxEntries: 100, now });
    const store = new TestServerStore<Values>(records, { keyring, now });
    const cookie = await loginAlice(store); // signed with k
    store.keyring = await Keyring.create([generateKey('k2'), k]); // k2 primary: the cookie is re-signed
    const held = holdCalls(SessionIdCookie.prototype, 'sign');
    try {
      const r = requestWith(cookie);
      const session = await store.get(r.ctx, 'session');
      const sending = r.send(); // the auto-commit: nothing changed, but the cookie is re-signed under k2
      await held.started;
      await session.destroy();
      held.release();
      await sending;
      assert.deepEqual(r.staged, [], 'no id cookie was staged over the deletion');
      assert.equal(r.set.get(COOKIE), '', 'the deletion is what goes out');
    } finally {
      held.restore();
    }
  });
});

describe('a change made while a server-side save is writing', () => {
  test(`save() not awaited, then regenerate(), subject = 'bob' and a flash: the record and cookie left say bob, and the old id is gone`, async () => {
    const records = new MemoryRecords({ maxEntries: 100, now });
    const store = new TestServerStore<Values>(records, { keyring, now });
    const other = new TestServerStore<Values>(records, { keyring, now, cache: false }); // another worker, same backend
    const cookie = await loginAlice(store);
    const held = holdCalls(MemoryRecords.prototype, 'set');
    const deletes = mock.method(MemoryRecords.prototype, 'delete');
    let outcome;
    try {
      outcome = await saveThenSwitchToBob(store, cookie, held, () => held.calls + deletes.mock.callCount());
    } finally {
      held.restore();
      deletes.mock.restore();
    }
    const { session, aliceId, final } = outcome;
    assert.deepEqual(await read(other, final), { isNew: false, id: session.id, subject: 'bob', user: 'bob', flashes: ['welcome bob'] });
    assert.equal(await records.get(aliceId), undefined, 'regenerate() deleted the old record');
  });
});

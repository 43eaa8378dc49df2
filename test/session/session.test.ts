import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../src/session/core/session.js';
import { randomId } from '../../src/session/core/session-record.js';
import { SessionError } from '../../src/errors.js';
import type { SessionContext, Store } from '../../src/session/core/types.js';
import { copyFlat, flatValues } from '../../src/session/core/flat-values.js';

type Values = { userId?: string; visits?: number; cart?: number[] };

function fixture(record?: ConstructorParameters<typeof Session<Values>>[0]['record']) {
  const calls: string[] = [];
  const ctx: SessionContext = { cookies: {}, setCookie() {}, deleteCookie() {}, onBeforeSend() {} };
  const store: Store<Values> = {
    get: () => Promise.reject(new Error('unused')),
    save: async (_ctx, s) => { calls.push('save'); s.markSaved(); },
    destroy: async (_ctx, s) => { calls.push('destroy'); s.markDestroyed(); },
  };
  let clock = 1_700_000_000_000;
  const session = new Session<Values>({ name: 'session', store, ctx, now: () => clock, ...(record ? { record } : {}) });
  return { session, calls, tick: (ms: number) => { clock += ms; } };
}

test('randomId gives 128 bits as 22 base64url characters, different each time', () => {
  const a = randomId();
  assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(a, randomId());
  assert.match(randomId(32), /^[A-Za-z0-9_-]{43}$/);
});

test('a new session is empty, new, unchanged, and created now', () => {
  const { session } = fixture();
  assert.equal(session.isNew, true);
  assert.deepEqual(session.values, {});
  assert.equal(session.changed, false);
  assert.equal(session.createdAt, 1_700_000_000_000);
  assert.equal(session.storedId, undefined);
  assert.equal(session.subject, undefined);
});

test('a loaded session exposes its record and is not new', () => {
  const { session } = fixture({ i: 'abc', c: 5000, v: { visits: 2 }, s: 'u1' });
  assert.equal(session.isNew, false);
  assert.equal(session.id, 'abc');
  assert.equal(session.storedId, 'abc');
  assert.equal(session.createdAt, 5000);
  assert.equal(session.subject, 'u1');
  assert.equal(session.values.visits, 2);
  assert.equal(session.changed, false);
});

test('detects top-level, nested and replaced values as changes', () => {
  const a = fixture({ i: 'a', c: 1, v: { visits: 1 } }).session;
  a.values.visits = 2;
  assert.equal(a.changed, true);
  const b = fixture({ i: 'b', c: 1, v: { cart: [1] } }).session;
  b.values.cart?.push(2);
  assert.equal(b.changed, true);
  const c = fixture({ i: 'c', c: 1, v: { visits: 1 } }).session;
  c.values = { visits: 1 };
  assert.equal(c.changed, false, 'an equal replacement is no change');
  c.values = {};
  assert.equal(c.changed, true);
});

test('a flash pops exactly once, per key', () => {
  const { session } = fixture();
  session.addFlash('saved');
  session.addFlash('declined', 'error');
  assert.equal(session.changed, true);
  assert.deepEqual(session.flashes(), ['saved']);
  assert.deepEqual(session.flashes(), []);
  assert.deepEqual(session.flashes('error'), ['declined']);
  assert.deepEqual(session.flashes('error'), []);
  assert.equal(session.toRecord().f, undefined);
});

test('reading flashes of a loaded session is a change (they must be removed from the cookie)', () => {
  const { session } = fixture({ i: 'a', c: 1, v: {}, f: { _flash: ['hi'] } });
  assert.equal(session.changed, false);
  assert.deepEqual(session.flashes(), ['hi']);
  assert.equal(session.changed, true);
});

test('the subject is read from the loaded record, and setting or clearing it changes what the store writes', () => {
  const { session } = fixture({ i: 'a', c: 1, v: {}, s: 'u0' });
  assert.equal(session.subject, 'u0', 'the subject comes from the cookie or record the session was loaded from');
  assert.equal(session.changed, false);
  session.subject = 'u1';
  assert.equal(session.toRecord().s, 'u1', 'the record a store seals carries the new subject');
  assert.equal(session.changed, true);
  session.subject = undefined;
  assert.equal('s' in session.toRecord(), false, 'a cleared subject leaves no key in the record');
  assert.equal(session.changed, true, 'clearing the loaded subject is a change to write');
  session.subject = 'u0';
  assert.equal(session.changed, false, 'back to the loaded subject: nothing to write');
});

test('regenerate gives a new id, a fresh creation time and a new CSRF token, keeping values', () => {
  const { session, tick } = fixture({ i: 'old', c: 1, v: { visits: 3 }, k: 'token' });
  tick(1234);
  session.regenerate();
  assert.notEqual(session.id, 'old');
  assert.equal(session.storedId, 'old', 'the store still knows which record to drop');
  assert.equal(session.createdAt, 1_700_000_001_234);
  assert.equal(session.values.visits, 3);
  assert.notEqual(session.csrfToken(), 'token');
  assert.equal(session.changed, true);
});

test('regenerate forces a write even when nothing else changed', () => {
  const { session } = fixture();
  session.regenerate();
  assert.equal(session.changed, true);
  session.markSaved();
  assert.equal(session.changed, false);
  assert.equal(session.storedId, session.id);
});

test('csrfToken is created once and kept', () => {
  const { session } = fixture();
  const token = session.csrfToken();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(session.csrfToken(), token);
});

test('save and destroy delegate to the store', async () => {
  const { session, calls } = fixture({ i: 'a', c: 1, v: { visits: 1 } });
  session.values.visits = 2;
  await session.save();
  assert.equal(session.changed, false);
  await session.destroy();
  assert.deepEqual(calls, ['save', 'destroy']);
  assert.equal(session.destroyed, true);
  assert.deepEqual(session.values, {});
  assert.equal(session.storedId, undefined);
});

test('saving a destroyed session throws ERR_SESSION_DESTROYED until regenerate', async () => {
  const { session, calls } = fixture({ i: 'a', c: 1, v: {} });
  await session.destroy();
  await assert.rejects(session.save(), (err: unknown) => err instanceof SessionError && err.code === 'ERR_SESSION_DESTROYED' && err.kind === 'usage');
  session.regenerate();
  assert.equal(session.destroyed, false);
  await session.save();
  assert.deepEqual(calls, ['destroy', 'save']);
});

test('a value JSON cannot represent counts as a change, so that save() reports it', () => {
  const { session } = fixture({ i: 'a', c: 1, v: {} });
  (session.values as Record<string, unknown>)['n'] = 1n;
  assert.equal(session.changed, true);
});

type Counter = { n?: number; name?: string };

test('the parsed snapshot handed on after a save is the one of the JSON written, never of later values', () => {
  const snapshot = '{"n":1,"name":"Ada"}';
  const flat = flatValues(JSON.parse(snapshot))!;
  const ctx: SessionContext = { cookies: {}, setCookie() {}, deleteCookie() {}, onBeforeSend() {} };
  const session = new Session<Counter>({ name: 's', store: {} as Store<Counter>, ctx, now: () => 0, record: { i: 'id', c: 1, v: copyFlat(flat) as Counter }, snapshot, flat });
  session.values.n = 2;
  const built = session.changedValuesJson()!; // what auto-commit seals
  session.values.n = 3; // changed while the encryption was awaited
  session.markSaved(built);
  assert.deepEqual(session.flatSnapshot, flatValues(JSON.parse(built)));
  assert.equal(session.changedValuesJson(), '{"n":3,"name":"Ada"}', 'the later change is still to be written');

  const other = session.valuesJson(); // save() serializes afresh
  session.values.n = 4;
  session.changedValuesJson(); // builds for n = 4
  session.markSaved(other);
  // What counts is that the session now compares against what was written (n = 3), not against
  // the JSON it built for n = 4 and did not write.
  assert.equal(session.changedValuesJson(), '{"n":4,"name":"Ada"}', 'n = 4 was never written: still a change');
  session.values.n = 3;
  assert.equal(session.changedValuesJson(), undefined, 'n = 3 is what was written: no change');
  assert.equal(session.flatSnapshot, undefined, 'the parsed snapshot, built for n = 4, is dropped rather than kept wrong');

  session.markSaved(session.valuesJson()); // written again unchanged (a renewal): the snapshot stays
  const kept = session.flatSnapshot;
  session.markSaved(session.valuesJson());
  assert.equal(session.flatSnapshot, kept);
});

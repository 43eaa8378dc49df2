import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRecord } from '../../src/session/core/session-record.js';

// isRecord is the last gate before an authentic payload becomes a session: the bytes passed the
// MAC or the AEAD tag, but may come from another version of the app, or from a store written by
// hand. Each case changes one field of a record that is accepted.
const GOOD = { i: 'q3V0cNq1xY7Jt8jZ6Pp0Hw', c: 1_764_147_600_000, v: { visits: 3 } };

test('accepts a record with its three required fields, and with each optional field well formed', () => {
  assert.equal(isRecord(GOOD), true);
  assert.equal(isRecord({ ...GOOD, s: 'alice' }), true);
  assert.equal(isRecord({ ...GOOD, k: 'token' }), true);
  assert.equal(isRecord({ ...GOOD, f: {} }), true);
  assert.equal(isRecord({ ...GOOD, f: { info: ['saved', 2, null] } }), true);
  assert.equal(isRecord({ ...GOOD, s: undefined, f: undefined, k: undefined }), true);
});

test('accepts a creation time at either end of what a Date holds, and a fractional one', () => {
  assert.equal(isRecord({ ...GOOD, c: 0 }), true);
  assert.equal(isRecord({ ...GOOD, c: 8.64e15 }), true);
  assert.equal(isRecord({ ...GOOD, c: 1_764_147_600_000.25 }), true);
});

test('refuses a payload that is not an object: null, an array, a string, a number', () => {
  for (const data of [null, undefined, [GOOD], 'record', 42, true]) assert.equal(isRecord(data), false, JSON.stringify(data));
});

test('refuses a record whose id is missing or not a string', () => {
  const { i: _, ...noId } = GOOD;
  assert.equal(isRecord(noId), false);
  for (const i of [1, null, ['a'], { a: 1 }]) assert.equal(isRecord({ ...GOOD, i }), false, JSON.stringify(i));
});

test('refuses a creation time that is not a number of milliseconds a Date can hold', () => {
  const { c: _, ...noTime } = GOOD;
  assert.equal(isRecord(noTime), false);
  for (const c of [-1, 8.64e15 + 1, 1e300, Number.NaN, '1764147600000', null]) assert.equal(isRecord({ ...GOOD, c }), false, String(c));
});

test('refuses values that are not a plain object: missing, null, an array, a string', () => {
  const { v: _, ...noValues } = GOOD;
  assert.equal(isRecord(noValues), false);
  for (const v of [null, [1, 2], 'visits', 3]) assert.equal(isRecord({ ...GOOD, v }), false, JSON.stringify(v));
});

test('refuses a subject or a CSRF token that is not a string', () => {
  for (const s of [1, null, ['alice'], {}]) assert.equal(isRecord({ ...GOOD, s }), false, `s ${JSON.stringify(s)}`);
  for (const k of [1, null, ['token'], {}]) assert.equal(isRecord({ ...GOOD, k }), false, `k ${JSON.stringify(k)}`);
});

test('refuses flashes that are not an object of lists (flashes() hands a list back)', () => {
  for (const f of [null, [], ['saved'], 'saved', '', 5, true, { info: 'saved' }, { info: ['ok'], error: 1 }]) {
    assert.equal(isRecord({ ...GOOD, f }), false, JSON.stringify(f));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metaOf, recordOf, type VerifiedEntry } from '../../src/session/cookie-store/verified-entry.js';

test('the meta the verified cache keeps shares one frozen empty values object and copies the flashes', () => {
  // One meta is kept per write: an empty object of its own each time would be one more object per
  // write to outlive the young generation (docs/benchmarks.md, "Write tail").
  const flashes = { info: ['saved'] };
  const a = metaOf({ i: 'id1', c: 1, v: { big: 1 }, s: 'u1', f: flashes });
  const b = metaOf({ i: 'id2', c: 2, v: { other: 2 } });
  assert.deepEqual(a, { i: 'id1', c: 1, v: {}, s: 'u1', f: { info: ['saved'] } });
  assert.equal(a.v, b.v);
  assert.equal(Object.isFrozen(a.v), true);
  assert.notEqual(a.f, flashes, 'the cache never shares a request\'s flashes');
});

test('a cache hit parses flat values once: later hits reuse the snapshot, and each request gets its own copy', () => {
  const entry: VerifiedEntry = { name: 's', meta: metaOf({ i: 'id', c: 1, v: {} }), values: '{"n":1,"who":"u1"}', issuedAt: 0, expiresAt: 10, keyId: 'k', flat: undefined };
  const first = recordOf(entry);
  assert.notEqual(first.flat, undefined, 'flat values come with their snapshot');
  assert.equal(entry.flat, first.flat, 'the snapshot is kept on the entry for the next hit');
  const second = recordOf(entry);
  assert.equal(second.flat, first.flat, 'the next hit parses nothing');
  assert.deepEqual(second.record.v, { n: 1, who: 'u1' });
  assert.notEqual(second.record.v, first.record.v);
});

test('values that are not flat are remembered as such, and still copied per request', () => {
  const entry: VerifiedEntry = { name: 's', meta: metaOf({ i: 'id', c: 1, v: {} }), values: '{"cart":[1]}', issuedAt: 0, expiresAt: 10, keyId: 'k', flat: undefined };
  const first = recordOf(entry);
  assert.equal(first.flat, undefined);
  assert.equal(entry.flat, null);
  const second = recordOf(entry);
  assert.deepEqual(second.record.v, { cart: [1] });
  assert.notEqual(second.record.v, first.record.v);
});

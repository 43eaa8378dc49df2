import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metaOf } from '../../src/session/cookie-store/verified-entry.js';

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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_POOLED_DRAW, pooledRandomBytes } from '../../src/bytes/random-pool.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

test('draws as many bytes as asked, each time in an array of its own', () => {
  for (const length of [1, 12, 32, MAX_POOLED_DRAW]) {
    const bytes = pooledRandomBytes(length);
    assert.equal(bytes.length, length);
    // A copy, not a view of the pool: nothing else can write into it.
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, length);
  }
});

test('never hands out the same bytes twice, across several pools (no reuse once the pool runs out)', () => {
  const seen = new Set<string>();
  // 400 × 32 bytes = 12,800: more than three 4 KiB pools.
  for (let i = 0; i < 400; i++) seen.add(hex(pooledRandomBytes(32)));
  assert.equal(seen.size, 400);
});

test('a value changed by its caller does not change the values drawn after it', () => {
  const first = pooledRandomBytes(32);
  first.fill(0xaa);
  const second = pooledRandomBytes(32);
  assert.notEqual(hex(second), hex(first));
  assert.ok(second.some((byte) => byte !== 0xaa));
});

test('calls getRandomValues once per 4 KiB, not once per draw', (t) => {
  let calls = 0;
  const real = crypto.getRandomValues.bind(crypto);
  t.mock.method(crypto, 'getRandomValues', <T extends ArrayBufferView | null>(array: T): T => {
    calls++;
    return real(array as never) as T;
  });
  for (let i = 0; i < 256; i++) pooledRandomBytes(32); // 8 KiB: two pools, a third if the first was part-used
  assert.ok(calls >= 2 && calls <= 3, `${calls} calls for 256 draws of 32 bytes`);
});

test('refuses a length outside 1 to 256, naming the function', () => {
  for (const length of [0, -1, MAX_POOLED_DRAW + 1, 1.5, Number.NaN]) {
    assert.throws(() => pooledRandomBytes(length), /^RangeError: pooledRandomBytes: length must be an integer from 1 to 256/);
  }
});

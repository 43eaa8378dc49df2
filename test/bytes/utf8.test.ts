import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Encode, utf8Decode } from '../../src/bytes/utf8.js';
import { concatBytes } from '../../src/bytes/concat.js';

test('round-trips text with multi-byte characters', () => {
  const text = 'héllo ☃ 𝄞';
  assert.equal(utf8Decode(utf8Encode(text)), text);
  assert.deepEqual(utf8Encode('é'), new Uint8Array([0xc3, 0xa9]));
});

test('returns null for invalid UTF-8 instead of replacing it', () => {
  assert.equal(utf8Decode(new Uint8Array([0xc3])), null);
  assert.equal(utf8Decode(new Uint8Array([0xed, 0xa0, 0x80])), null); // an encoded lone surrogate
  assert.equal(utf8Decode(new Uint8Array([0xc0, 0xaf])), null); // overlong '/'
});

test('keeps a leading byte order mark as data', () => {
  assert.equal(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), '\ufeffA');
});

test('concatenates byte arrays in order', () => {
  assert.deepEqual(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])), new Uint8Array([1, 2, 3]));
  assert.deepEqual(concatBytes(), new Uint8Array(0));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBase64url, decodeBase64url, decodeBase64urlInto, base64urlDecodedLength } from '../../src/bytes/base64url.js';

// Seeded so a failure can be replayed: rerun with FUZZ_SEED=<seed in the failure message>.
import { fuzz } from '../fuzz/seed.js';

test('encodes the RFC 4648 §10 test vectors without padding', () => {
  const cases: Array<[string, string]> = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
  for (const [plain, encoded] of cases) {
    assert.equal(encodeBase64url(new TextEncoder().encode(plain)), encoded);
    assert.deepEqual(decodeBase64url(encoded), new TextEncoder().encode(plain));
  }
});

test('uses - and _ where base64 uses + and /', () => {
  assert.equal(encodeBase64url(new Uint8Array([0xfb, 0xff])), '-_8');
  assert.deepEqual(decodeBase64url('-_8'), new Uint8Array([0xfb, 0xff]));
});

test('agrees with Node Buffer base64url for random bytes of every small length', () => {
  fuzz(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = encodeBase64url(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(decodeBase64url(text), bytes);
    }),
    300,
  );
});

test('rejects padding, +, /, whitespace and other characters outside the alphabet', () => {
  for (const bad of ['Zg==', 'Zg=', 'Zm9v+A', 'Zm9v/A', 'Zm9 v', ' Zm9v', 'Zm9v\n', 'Zm9\tv', 'Zm.v', 'Zm9é', 'Zm9v\u0100AAA', 'Zm\u00ff']) {
    assert.equal(decodeBase64url(bad), null, JSON.stringify(bad));
  }
});

test('rejects a length of 4k+1 characters', () => {
  assert.equal(base64urlDecodedLength(5), -1);
  assert.equal(decodeBase64url('A'), null);
  assert.equal(decodeBase64url('AAAAA'), null);
});

test('rejects non-canonical trailing bits', () => {
  // 'Zg' is canonical for 'f'; 'Zh'..'Zv' set unused bits and would also decode to 'f' in a lax decoder.
  assert.deepEqual(decodeBase64url('Zg'), new TextEncoder().encode('f'));
  for (const bad of ['Zh', 'Zi', 'Zv', 'Z_']) assert.equal(decodeBase64url(bad), null, bad);
  // 'Zm8' is canonical for 'fo'; 'Zm9' and 'Zm-' set the 2 unused bits.
  assert.deepEqual(decodeBase64url('Zm8'), new TextEncoder().encode('fo'));
  for (const bad of ['Zm9', 'Zm-']) assert.equal(decodeBase64url(bad), null, bad);
});

test('every text that decodes re-encodes to itself (one text per byte string)', () => {
  fuzz(
    fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ '.split('')), maxLength: 24 }), (text) => {
      const bytes = decodeBase64url(text);
      if (bytes !== null) assert.equal(encodeBase64url(bytes), text);
    }),
    2000,
  );
});

test('decodes into an existing buffer at an offset', () => {
  const out = new Uint8Array(5);
  assert.equal(base64urlDecodedLength(3), 2);
  assert.equal(base64urlDecodedLength(4), 3);
  assert.equal(decodeBase64urlInto('-_8', out, 1), true);
  assert.deepEqual(out, new Uint8Array([0, 0xfb, 0xff, 0, 0]));
  assert.equal(decodeBase64urlInto('Zm9vYmFy', out, 0), true);
  assert.deepEqual(out.subarray(0, 3), new TextEncoder().encode('foo'));
  assert.equal(decodeBase64urlInto('Zm9vY', out, 0), false);
});

test('decodes a range of a larger string', () => {
  const out = new Uint8Array(3);
  assert.equal(decodeBase64urlInto('ab.-_8.cd', out, 1, 3, 6), true);
  assert.deepEqual(out, new Uint8Array([0, 0xfb, 0xff]));
  assert.equal(decodeBase64urlInto('ab.-_9.cd', out, 1, 3, 6), false);
  assert.equal(decodeBase64urlInto('abc', out, 0, 2, 1), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBase64url, decodeBase64url, decodeBase64urlInto, base64urlDecodedLength, base64urlLength, encodeBase64urlInto, asciiText, decodeBase64urlCodesInto } from '../../src/bytes/base64url.js';

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

test('encodes any byte range into a buffer at an offset, as the ASCII of what encodeBase64url returns', () => {
  fuzz(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), fc.nat({ max: 5 }), (bytes, a, b, offset) => {
      const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const end = start + (bytes.length - start === 0 ? 0 : b % (bytes.length - start + 1));
      const expected = Buffer.from(bytes.subarray(start, end)).toString('base64url');
      const out = new Uint8Array(offset + base64urlLength(end - start));
      assert.equal(encodeBase64urlInto(bytes, out, offset, start, end), out.length);
      assert.equal(asciiText(out.subarray(offset)), expected);
    }),
    300,
  );
});

test('decodes base64url given as character codes, with the same canonical rules as text', () => {
  for (const text of ['Zm9vYmFy', 'Zg', 'Zm8', '-_8', 'Zh', 'Zm9', 'Zg==', 'Zm9v+A', 'A', '']) {
    const codes = new TextEncoder().encode(text);
    const n = base64urlDecodedLength(text.length);
    const fromText = decodeBase64url(text);
    const out = new Uint8Array(Math.max(n, 0));
    const ok = n >= 0 && decodeBase64urlCodesInto(codes, out, 0, 0, codes.length);
    assert.equal(ok, fromText !== null, text);
    if (ok) assert.deepEqual(out, fromText);
  }
  // Bytes of 128 and above are outside the alphabet, not read past the table.
  assert.equal(decodeBase64urlCodesInto(new Uint8Array([0xc3, 0xa9, 65, 65]), new Uint8Array(3), 0, 0, 4), false);
});

test('refuses a range of character codes of 4k+1 characters, or one that ends before it starts, even inside a longer buffer', () => {
  // The codec decodes parts of one buffer in place: a part of 4k+1 characters must be refused on
  // its own length, not decoded with the character after it borrowed from the next part.
  const codes = new TextEncoder().encode('QUFBQUFBQUFB.AAAA');
  for (const [start, end] of [
    [0, 1],
    [0, 5],
    [0, 9],
    [4, 9],
    [13, 14],
  ] as const) {
    const out = new Uint8Array(16);
    assert.equal(decodeBase64urlCodesInto(codes, out, 0, start, end), false, `[${start}, ${end})`);
  }
  for (const [start, end] of [
    [4, 3],
    [8, 5],
    [8, 7],
    [9, 4],
  ] as const) {
    assert.equal(decodeBase64urlCodesInto(codes, new Uint8Array(16), 0, start, end), false, `[${start}, ${end})`);
  }
  // Backwards ranges whose characters before the start would decode as a canonical tail.
  const zeros = new TextEncoder().encode('AAAAAAAA');
  for (const [start, end] of [
    [5, 4],
    [6, 4],
    [8, 7],
  ] as const) {
    assert.equal(decodeBase64urlCodesInto(zeros, new Uint8Array(16), 0, start, end), false, `AAAAAAAA [${start}, ${end})`);
  }
});

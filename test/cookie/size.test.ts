import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cookieByteLength, fitsInCookie, utf8ByteLength, MAX_COOKIE_BYTES } from '../../src/cookie/size.js';
import { check } from './seed.js';

test('counts UTF-8 bytes, not UTF-16 code units', () => {
  assert.equal(utf8ByteLength(''), 0);
  assert.equal(utf8ByteLength('abc'), 3);
  assert.equal(utf8ByteLength('é'), 2);
  assert.equal(utf8ByteLength('€'), 3);
  assert.equal(utf8ByteLength('😀'), 4);
  assert.equal(utf8ByteLength('\ud800'), 3); // lone high surrogate, written as U+FFFD
  assert.equal(utf8ByteLength('\ud800x'), 4);
  assert.equal(utf8ByteLength('\udc00'), 3);
});

test('measures a cookie as name plus value against the 4096-byte limit', () => {
  assert.equal(MAX_COOKIE_BYTES, 4096);
  assert.equal(cookieByteLength('id', 'abc'), 5);
  assert.equal(fitsInCookie('id', 'x'.repeat(4094)), true);
  assert.equal(fitsInCookie('id', 'x'.repeat(4095)), false);
  assert.equal(fitsInCookie('id', 'é'.repeat(2047)), true);
  assert.equal(fitsInCookie('id', 'é'.repeat(2048)), false);
});

test('property: utf8ByteLength agrees with TextEncoder on any string', () => {
  const encoder = new TextEncoder();
  check(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => assert.equal(utf8ByteLength(s), encoder.encode(s).length)));
  // ASCII strings take a shortcut: long ones, with one non-ASCII character anywhere, too.
  check(fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 40, maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 2 }), fc.nat(), (ascii, extra, at) => {
    const s = ascii.slice(0, at % (ascii.length + 1)) + extra + ascii.slice(at % (ascii.length + 1));
    assert.equal(utf8ByteLength(s), encoder.encode(s).length);
  }));
});

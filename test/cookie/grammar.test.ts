import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCookieName, isCookieValue } from '../../src/cookie/grammar.js';

// The classes written out by hand from the ABNF, to compare with the lookup tables.
const ALPHA_DIGIT = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const TCHAR = `${ALPHA_DIGIT}!#$%&'*+-.^_\`|~`; // RFC 9110 §5.6.2
const NOT_COOKIE_OCTET = ' ",;\\'; // RFC 6265bis §4.1.1: printable ASCII minus these

test('a one-character name is valid exactly when it is an RFC 9110 tchar', () => {
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    assert.equal(isCookieName(ch), TCHAR.includes(ch), `char code ${c}`);
  }
  assert.equal(isCookieName(''), false);
});

test('a one-character value is valid exactly when it is a cookie-octet', () => {
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    const octet = c >= 0x21 && c <= 0x7e && !NOT_COOKIE_OCTET.includes(ch);
    assert.equal(isCookieValue(ch), octet, `char code ${c}`);
    assert.equal(isCookieValue(`"${ch}"`), octet, `quoted char code ${c}`);
  }
  assert.equal(isCookieValue(''), true);
  assert.equal(isCookieValue('""'), true);
  assert.equal(isCookieValue('"'), false);
  assert.equal(isCookieValue('"a""'), false);
});

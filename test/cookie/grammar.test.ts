import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalidCookieValueIndex, isAttributeValue, isCookieName, isCookieValue } from '../../src/cookie/grammar.js';

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

test('in a long value, the first character that is not a cookie-octet is found, whatever and wherever it is', () => {
  // Values over 32 characters take the regex path: every character code, at the start, in the
  // middle and at the end of a 300-character base64url value.
  const base = 'v1s.kid.'.padEnd(300, 'Ab0-_');
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    const octet = c >= 0x21 && c <= 0x7e && !NOT_COOKIE_OCTET.includes(ch);
    for (const at of [0, 150, 299]) {
      const value = base.slice(0, at) + ch + base.slice(at + 1);
      assert.equal(invalidCookieValueIndex(value), octet ? -1 : at, `char code ${c} at ${at}`);
    }
  }
  assert.equal(invalidCookieValueIndex(`${base} ${base}`), 300);
});

test('an attribute value may hold exactly the av-octets: every CHAR but the controls and ";"', () => {
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    const avOctet = c >= 0x20 && c <= 0x7e && c !== 0x3b; // RFC 6265bis §4.1.1, %x20-3A / %x3C-7E
    assert.equal(isAttributeValue(ch), avOctet, `char code ${c}`);
    assert.equal(isAttributeValue(`/a${ch}b`), avOctet, `inside a path, char code ${c}`);
  }
  assert.equal(isAttributeValue(''), true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfRefusal, nodeRequestHeader, parsedFormField } from '../../src/web/csrf-refusal.js';

test('a refusal is a 403 every framework reads as one, with a code and the message cachet\'s own csrf() answers with', () => {
  const cross = csrfRefusal('cross-site');
  assert.ok(cross instanceof Error);
  assert.deepEqual(
    { message: cross.message, code: cross.code, status: cross.status, statusCode: cross.statusCode, expose: cross.expose },
    { message: 'Forbidden: cross-site request', code: 'ERR_CSRF_CROSS_SITE', status: 403, statusCode: 403, expose: true },
  );
  const bad = csrfRefusal('bad-token');
  assert.deepEqual(
    { message: bad.message, code: bad.code, status: bad.status, statusCode: bad.statusCode, expose: bad.expose },
    { message: 'Forbidden: invalid CSRF token', code: 'ERR_CSRF_BAD_TOKEN', status: 403, statusCode: 403, expose: true },
  );
});

test('the token field is read from a parsed form object or from raw urlencoded text', () => {
  assert.equal(parsedFormField({ _csrf: 'abc', msg: 'hi' }, '_csrf'), 'abc');
  assert.equal(parsedFormField('msg=hi&_csrf=a%2Bb', '_csrf'), 'a+b');
  assert.equal(parsedFormField('msg=hi', '_csrf'), undefined);
  assert.equal(parsedFormField({ msg: 'hi' }, '_csrf'), undefined);
});

test('only an own string field counts: not an inherited one, an array of repeated fields, a number, or a body that is no form', () => {
  assert.equal(parsedFormField(Object.create({ _csrf: 'inherited' }), '_csrf'), undefined);
  assert.equal(parsedFormField({ _csrf: ['a', 'b'] }, '_csrf'), undefined);
  assert.equal(parsedFormField({ _csrf: 42 }, '_csrf'), undefined);
  assert.equal(parsedFormField(JSON.parse('{"__proto__": {"_csrf": "x"}}'), '_csrf'), undefined);
  for (const body of [undefined, null, 42, true]) assert.equal(parsedFormField(body, '_csrf'), undefined);
});

test('a header of Node\'s request is its first value, and a missing host is read from HTTP/2\'s :authority', () => {
  assert.equal(nodeRequestHeader({ origin: 'https://a.example' }, 'origin'), 'https://a.example');
  assert.equal(nodeRequestHeader({ 'x-csrf-token': ['first', 'second'] }, 'x-csrf-token'), 'first');
  assert.equal(nodeRequestHeader({}, 'origin'), undefined);
  assert.equal(nodeRequestHeader({ ':authority': 'a.example:8443' }, 'host'), 'a.example:8443', 'HTTP/2');
  assert.equal(nodeRequestHeader({ host: 'a.example', ':authority': 'b.example' }, 'host'), 'a.example', 'Host, when sent, wins');
  assert.equal(nodeRequestHeader({ ':authority': 'a.example' }, 'origin'), undefined, 'only host falls back');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionError } from '../src/errors.js';

test('a decode SessionError is recognised by isDecode and keeps detail out of the message', () => {
  const err = new SessionError('ERR_COOKIE_TAMPERED', 'decode', 'cookie value could not be authenticated', { detail: 'tag mismatch' });
  assert.equal(SessionError.isDecode(err), true);
  assert.equal(err.code, 'ERR_COOKIE_TAMPERED');
  assert.equal(err.name, 'SessionError');
  assert.equal(err.detail, 'tag mismatch');
  assert.ok(!err.message.includes('tag mismatch'));
});

test('usage errors and foreign errors are not decode errors', () => {
  const cause = new Error('x');
  const err = new SessionError('ERR_KEY_SECRET_SHORT', 'usage', 'key "a": secret too short', { cause });
  assert.equal(SessionError.isDecode(err), false);
  assert.equal(err.cause, cause);
  assert.equal(SessionError.isDecode(new Error('x')), false);
});

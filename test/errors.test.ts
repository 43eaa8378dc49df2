import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionError } from '../src/errors.js';
import { CookieCodec } from '../src/codec/cookie-codec.js';
import { Keyring } from '../src/keys/keyring.js';
import { generateKey } from '../src/keys/generate.js';

async function failureOf(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SessionError, `a SessionError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

// The errors the codec really throws, not ones the test builds: every authentication failure must
// look the same from outside (one code, one message), with the precise reason only in `detail`.
test('every authentication failure the codec throws has one code and one message, and keeps the reason out of it', async () => {
  const key = generateKey('k');
  const codec = new CookieCodec({ keyring: await Keyring.create([key]), mode: 'sealed' });
  const other = new CookieCodec({ keyring: await Keyring.create([{ id: 'k', secret: generateKey('k').secret }]), mode: 'sealed' });
  const value = await codec.encode('session', { a: 1 });
  const parts = value.split('.');
  const flipTag = [...parts.slice(0, -1), (parts.at(-1)![0] === 'A' ? 'B' : 'A') + parts.at(-1)!.slice(1)].join('.');
  const failures = await Promise.all([
    failureOf(codec.decode('session', flipTag)), // bad tag
    failureOf(other.decode('session', value)), // same key id, another secret
    failureOf(codec.decode('other', value)), // another cookie name
  ]);
  for (const err of failures) {
    assert.equal(SessionError.isDecode(err), true);
    assert.equal(err.code, 'ERR_COOKIE_TAMPERED');
    assert.equal(err.message, failures[0]!.message, 'one message for every cause');
    if (err.detail !== undefined) assert.ok(!err.message.includes(err.detail), 'the detail is not in the message');
  }
  assert.equal(failures[0]!.name, 'SessionError');
});

test('isDecode is true only for a SessionError of kind decode', async () => {
  const cause = new Error('x');
  const usage = await failureOf(Keyring.create([{ id: 'a', secret: 'c2hvcnQ' }]));
  assert.equal(usage.kind, 'usage');
  assert.equal(SessionError.isDecode(usage), false);
  assert.equal(SessionError.isDecode(new Error('x')), false);
  assert.equal(SessionError.isDecode({ name: 'SessionError', kind: 'decode', code: 'ERR_COOKIE_TAMPERED' }), false, 'a look-alike object');
  assert.equal(SessionError.isDecode(new SessionError('ERR_COOKIE_TAMPERED', 'internal', 'm', { cause })), false, 'the kind decides, not the code');
  assert.equal(new SessionError('ERR_CRYPTO', 'internal', 'm', { cause }).cause, cause);
  assert.equal('cause' in new SessionError('ERR_CRYPTO', 'internal', 'm'), false, 'no cause property when none was given');
});

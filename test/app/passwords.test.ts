import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createDummyHash,
  DEFAULT_PASSWORD_ITERATIONS,
  hashPassword,
  needsRehash,
  parsePasswordHash,
  pbkdf2Sha256,
  timingSafeEqual,
  verifyPassword,
} from '../../src/app/passwords.js';

const weak = { iterations: 1000, unsafeAllowWeakIterationsForTests: true } as const;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

test('derives the RFC 7914 section 11 PBKDF2-HMAC-SHA256 known answer', async () => {
  const out = await pbkdf2Sha256('passwd', new TextEncoder().encode('salt'), 1, 64);
  assert.equal(
    hex(out),
    '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
  );
});

test('verifies a password against a hash computed with known parameters', async () => {
  // Built by hand from the RFC 7914 vector (c = 1) so the stored format is pinned too.
  const salt = Buffer.from('saltsaltsaltsalt').toString('base64url');
  const hash = Buffer.from(await pbkdf2Sha256('passwd', new TextEncoder().encode('saltsaltsaltsalt'), 1, 32)).toString('base64url');
  assert.equal(await verifyPassword('passwd', `pbkdf2-sha256$1$${salt}$${hash}`), true);
  assert.equal(await verifyPassword('passwe', `pbkdf2-sha256$1$${salt}$${hash}`), false);
});

test('uses at least 600,000 iterations and a 16-byte salt by default', () => {
  assert.ok(DEFAULT_PASSWORD_ITERATIONS >= 600_000);
});

test('refuses a weak iteration count unless the test-only option is set', async () => {
  await assert.rejects(hashPassword('x', { iterations: 1000 }), TypeError);
  await assert.rejects(hashPassword('x', { iterations: 0, unsafeAllowWeakIterationsForTests: true }), TypeError);
  await assert.rejects(hashPassword('x', { iterations: 1.5 }), TypeError);
  const stored = await hashPassword('x', weak);
  assert.equal(parsePasswordHash(stored)?.iterations, 1000);
});

test('writes a self-describing hash with a fresh salt each time', async () => {
  const a = await hashPassword('secret', weak);
  const b = await hashPassword('secret', weak);
  assert.match(a, /^pbkdf2-sha256\$1000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.equal(parsePasswordHash(a)?.salt.length, 16);
  assert.equal(await verifyPassword('secret', a), true);
  assert.equal(await verifyPassword('Secret', a), false);
});

test('never matches a malformed stored hash', async () => {
  for (const bad of ['', 'plain', 'md5$1$abc$def', 'pbkdf2-sha256$0$AAAAAAAAAAA$AAAA', 'pbkdf2-sha256$1$$', 'pbkdf2-sha256$1$a+b$c', 'pbkdf2-sha256$99999999$AAAAAAAAAAAA$' + 'A'.repeat(43), 'pbkdf2-sha256$1$AAAAAAAAAAAA$AAAA']) {
    assert.equal(parsePasswordHash(bad), undefined, bad);
    assert.equal(await verifyPassword('x', bad), false);
  }
});

test('says a hash needs rehashing when its iterations are below the wanted count', async () => {
  const stored = await hashPassword('x', weak);
  assert.equal(needsRehash(stored), true);
  assert.equal(needsRehash(stored, 1000), false);
  assert.equal(needsRehash('garbage'), true);
});

test('compares bytes without short-cutting and rejects different lengths', () => {
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
});

test('makes a well-formed dummy hash at the real work factor that no password matches', async () => {
  assert.equal(parsePasswordHash(createDummyHash())?.iterations, DEFAULT_PASSWORD_ITERATIONS);
  assert.throws(() => createDummyHash({ iterations: 1000 }), TypeError);
  const dummy = createDummyHash(weak);
  assert.equal(parsePasswordHash(dummy)?.iterations, 1000);
  assert.notEqual(createDummyHash(weak), dummy);
  assert.equal(await verifyPassword('', dummy), false);
  assert.equal(await verifyPassword('password', dummy), false);
});

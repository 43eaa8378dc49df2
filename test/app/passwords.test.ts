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
  // A difference in any one byte, not only the last: a loop that assigned instead of OR-ing the
  // difference (or that stopped early) would accept a hash matching in its last byte, 1 in 256.
  const hash = new Uint8Array(32).map((_, i) => i * 7 + 1);
  for (let i = 0; i < hash.length; i++) {
    const other = new Uint8Array(hash);
    other[i] = (other[i] as number) ^ 0x80;
    assert.equal(timingSafeEqual(hash, other), false, `byte ${i} differs`);
  }
  assert.equal(timingSafeEqual(hash, new Uint8Array(hash)), true);
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

// Each case below breaks exactly one rule of a hash that parses, so each guard of
// parsePasswordHash is checked on its own (a case that breaks two rules passes if either guard
// holds, which is how mutation testing found these guards unpinned).
test('refuses a stored hash that breaks any one rule of the format, and takes the edge values the format allows', () => {
  const salt8 = 'A'.repeat(11); // 8 bytes
  const salt16 = 'A'.repeat(22); // 16 bytes
  const hash32 = 'A'.repeat(43); // 32 bytes
  const valid = (iterations: string, salt = salt16, hash = hash32): string => `pbkdf2-sha256$${iterations}$${salt}$${hash}`;
  assert.equal(parsePasswordHash(valid('600000'))?.iterations, 600_000);
  assert.equal(parsePasswordHash(valid('1'))?.iterations, 1);
  assert.equal(parsePasswordHash(valid('10000000'))?.iterations, 10_000_000, 'the largest count allowed');
  assert.equal(parsePasswordHash(valid('600000', salt8))?.salt.length, 8, 'the shortest salt allowed');
  const broken: Record<string, string> = {
    'another algorithm': `pbkdf2-sha512$600000$${salt16}$${hash32}`,
    'three parts': `pbkdf2-sha256$600000$${salt16}`,
    'five parts': `${valid('600000')}$${hash32}`,
    'a leading zero': valid('0600000'),
    'a sign': valid('+600000'),
    'a letter after the digits': valid('600000x'),
    'a letter before the digits': valid('x600000'),
    'nine digits': valid('100000000'),
    'past the largest count': valid('10000001'),
    'a salt of 7 bytes': valid('600000', 'A'.repeat(10)),
    'a salt with a character outside base64url first': valid('600000', `*${salt16}`),
    'a salt with a character outside base64url last': valid('600000', `${salt16}*`),
    'a hash of 31 bytes': valid('600000', salt16, 'A'.repeat(42)),
    'a hash of 33 bytes': valid('600000', salt16, 'A'.repeat(44)),
    'a hash with a character outside base64url last': valid('600000', salt16, `${'A'.repeat(42)}=`),
  };
  for (const [what, stored] of Object.entries(broken)) assert.equal(parsePasswordHash(stored), undefined, what);
});

test('refuses an iteration count outside 1 to 10,000,000 when hashing, and says which', async () => {
  const allow = { unsafeAllowWeakIterationsForTests: true } as const;
  for (const iterations of [0, -1, 10_000_001, 1.5]) {
    await assert.rejects(hashPassword('pw', { ...allow, iterations }), { name: 'TypeError', message: `password iterations must be an integer from 1 to 10000000, got ${iterations}` });
  }
  assert.match(await hashPassword('pw', { ...allow, iterations: 1 }), /^pbkdf2-sha256\$1\$/);
  await assert.rejects(hashPassword('pw', { iterations: 599_999 }), { message: 'password iterations must be at least 600000 (OWASP 2023 for PBKDF2-SHA256), got 599999' });
  await assert.rejects(hashPassword('pw', { iterations: 1000, bogus: true } as never), /password hashing/);
});

test('takes 10,000,000 iterations, the most a stored hash may have, and refuses 10,000,001', () => {
  // createDummyHash checks the options as hashPassword does, but derives nothing: no 10-million-round run.
  const most = createDummyHash({ iterations: 10_000_000 });
  assert.equal(parsePasswordHash(most)?.iterations, 10_000_000);
  assert.throws(() => createDummyHash({ iterations: 10_000_001 }), {
    name: 'TypeError',
    message: 'password iterations must be an integer from 1 to 10000000, got 10000001',
  });
});

// The codec's maxBytes option exists for the session layer's chunking: one authenticated value
// split over several cookies may be longer than one cookie's 4096 bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { SessionError } from '../../src/errors.js';

const keyring = await Keyring.create([generateKey('k')]);
const big = { text: 'x'.repeat(6000) };

test('refuses a value over 4096 bytes by default, on encode and on decode', async () => {
  const codec = new CookieCodec({ keyring });
  assert.equal(codec.maxBytes, 4096);
  await assert.rejects(codec.encode('s', big), (e: unknown) => e instanceof SessionError && e.code === 'ERR_COOKIE_TOO_LARGE' && e.kind === 'usage');
  const value = await new CookieCodec({ keyring, maxBytes: 12_288 }).encode('s', big);
  await assert.rejects(codec.decode('s', value), (e: unknown) => e instanceof SessionError && e.code === 'ERR_COOKIE_TOO_LARGE' && e.kind === 'decode');
});

test('round-trips a longer value when maxBytes allows it', async () => {
  const codec = new CookieCodec({ keyring, maxBytes: 12_288 });
  const value = await codec.encode('s', big);
  assert.ok(value.length > 4096);
  assert.deepEqual((await codec.decode('s', value)).data, big);
});

test('rejects a maxBytes outside 64 … 50 × 4096', () => {
  for (const maxBytes of [63, 50 * 4096 + 1, 100.5]) {
    assert.throws(() => new CookieCodec({ keyring, maxBytes }), (e: unknown) => e instanceof SessionError && e.code === 'ERR_OPTIONS_INVALID');
  }
});

test('accepts a maxBytes at either end of 64 … 50 × 4096', () => {
  for (const maxBytes of [64, 50 * 4096]) assert.equal(new CookieCodec({ keyring, maxBytes }).maxBytes, maxBytes);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecSuite, setup, expectCode, T0 } from './codec-suite.js';
import { sign } from '../../src/codec/signed.js';
import { boundContext } from '../../src/codec/envelope.js';
import { encodeBase64url } from '../../src/bytes/base64url.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';

codecSuite('signed');

const data = { userId: 'u1' };

test('signed: the payload is readable base64url JSON', async () => {
  const { codec } = await setup('signed');
  const value = await codec.encode('session', data);
  assert.deepEqual(JSON.parse(Buffer.from(value.split('.')[4]!, 'base64url').toString('utf8')), data);
});

test('signed: rejects a MAC of 31 or 33 bytes and an empty payload', async () => {
  const { codec } = await setup('signed');
  const p = (await codec.encode('session', data)).split('.');
  const mac = Buffer.from(p[5]!, 'base64url');
  const withMac = (bytes: Uint8Array) => [...p.slice(0, 5), encodeBase64url(bytes)].join('.');
  await expectCode(codec.decode('session', withMac(mac.subarray(0, 31))), 'ERR_COOKIE_TAMPERED');
  await expectCode(codec.decode('session', withMac(Buffer.concat([mac, Buffer.of(0)]))), 'ERR_COOKIE_TAMPERED');
  await expectCode(codec.decode('session', [...p.slice(0, 4), '', p[5]].join('.')), 'ERR_COOKIE_TAMPERED');
});

test('signed: a readable payload edited by hand fails authentication', async () => {
  const { codec } = await setup('signed');
  const p = (await codec.encode('session', { admin: false })).split('.');
  p[4] = encodeBase64url(new TextEncoder().encode('{"admin":true}'));
  await expectCode(codec.decode('session', p.join('.')), 'ERR_COOKIE_TAMPERED');
});

test('signed: an authentic payload that is not UTF-8 JSON is ERR_COOKIE_MALFORMED', async () => {
  const { codec, keyring } = await setup('signed');
  const iat = Math.floor(T0 / 1000);
  for (const payload of [new TextEncoder().encode('{not json'), new Uint8Array([0xc3])]) {
    const signedPart = `1m.k-new.${iat}.${iat + 60}.${encodeBase64url(payload)}`;
    const value = `${signedPart}.${await sign(keyring.primary.signingKey, boundContext(signedPart, signedPart.length, 'session'))}`;
    await expectCode(codec.decode('session', value), 'ERR_COOKIE_MALFORMED');
  }
});

// Decode step 3 refuses an empty payload by its length, before verify and JSON.parse, even when
// a writer holding the key signed it.
test('signed: refuses an empty payload at the shape step, before any crypto, even one signed with the right key', async (t) => {
  const { codec, keyring } = await setup('signed');
  const iat = Math.floor(T0 / 1000);
  const signedPart = `1m.k-new.${iat}.${iat + 60}.`;
  const value = `${signedPart}.${await sign(keyring.primary.signingKey, boundContext(signedPart, signedPart.length, 'session'))}`;
  const verify = t.mock.method(crypto.subtle, 'verify');
  await expectCode(codec.decode('session', value), 'ERR_COOKIE_TAMPERED');
  assert.equal(verify.mock.callCount(), 0);
});

// Sealing keys are per epoch and derived ahead of need; a signed codec never uses one.
test('signed: derives no sealing key, at construction or per request', async (t) => {
  const keyring = await Keyring.create([{ id: 'k', secret: new Uint8Array(32).fill(6) }]);
  const derive = t.mock.method(crypto.subtle, 'deriveKey');
  const codec = new CookieCodec({ keyring, mode: 'signed', now: () => T0 });
  assert.deepEqual((await codec.decode('s', await codec.encode('s', [1]))).data, [1]);
  assert.equal(derive.mock.callCount(), 0);
  assert.equal(keyring.primary.cachedEpochs, 0);
});

// The bound name is its UTF-8 bytes (docs/cookie-format.md, "What is authenticated"): checked
// against a MAC computed here with TextEncoder, not with the codec's own context builder. A name
// with characters from U+0080 to U+00FF is the case a byte-per-character shortcut would get wrong.
test('signed: a non-ASCII cookie name is bound as its UTF-8 bytes', async () => {
  const { codec, keyring } = await setup('signed');
  for (const name of ['séssion', 'ÿ', 'Zoë☃']) {
    const value = await codec.encode(name, data);
    const signedPart = value.slice(0, value.lastIndexOf('.'));
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', keyring.primary.signingKey, new TextEncoder().encode(`${signedPart}.${name}`)));
    assert.equal(value.slice(value.lastIndexOf('.') + 1), encodeBase64url(expected), `the MAC written for ${name}`);
    assert.deepEqual((await codec.decode(name, value)).data, data, `and read back for ${name}`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecSuite, setup, expectCode, rejection, T0 } from './codec-suite.js';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { seal } from '../../src/codec/sealed.js';
import { boundContext } from '../../src/codec/envelope.js';
import { EPOCH_SECONDS } from '../../src/keys/derive.js';
import { Keyring } from '../../src/keys/keyring.js';
import { encodeBase64url } from '../../src/bytes/base64url.js';

codecSuite('sealed');

const data = { userId: 'u1' };

test('sealed: hides the payload (no JSON text in the value)', async () => {
  const { codec } = await setup('sealed');
  const value = await codec.encode('session', { secretField: 'visible?' });
  assert.ok(!value.includes(encodeBase64url(new TextEncoder().encode('secretField').subarray(0, 9))));
  assert.ok(!Buffer.from(value.split('.')[5]!, 'base64url').toString('latin1').includes('secretField'));
});

// IVs are drawn from a pool of 1024 (src/codec/sealed.ts). Planted-bug guard: a pool that was
// rewound instead of replaced once exhausted reuses IVs under one key, which is AES-GCM nonce
// reuse (it leaks the XOR of plaintexts and the GHASH key). So the draw crosses the pool's end
// twice, and every IV, across all of them, must be distinct.
test('sealed: uses a fresh IV for every value, also after the IV pool is used up, twice over', async () => {
  const { codec } = await setup('sealed');
  const ivs = new Set<string>();
  const count = 2 * 1024 + 200;
  for (let i = 0; i < count; i++) ivs.add((await codec.encode('session', data)).split('.')[4]!);
  assert.equal(ivs.size, count);
});

test('sealed: rejects an IV of 11 or 13 bytes and a tag of 15 or 17 bytes', async () => {
  const { codec } = await setup('sealed');
  const p = (await codec.encode('session', data)).split('.');
  const iv = Buffer.from(p[4]!, 'base64url');
  const tag = Buffer.from(p[6]!, 'base64url');
  const with_ = (i: number, bytes: Uint8Array) => p.map((x, k) => (k === i ? encodeBase64url(bytes) : x)).join('.');
  await expectCode(codec.decode('session', with_(4, iv.subarray(0, 11))), 'ERR_COOKIE_TAMPERED');
  await expectCode(codec.decode('session', with_(4, Buffer.concat([iv, Buffer.of(0)]))), 'ERR_COOKIE_TAMPERED');
  await expectCode(codec.decode('session', with_(6, tag.subarray(0, 15))), 'ERR_COOKIE_TAMPERED');
  await expectCode(codec.decode('session', with_(6, Buffer.concat([tag, Buffer.of(0)]))), 'ERR_COOKIE_TAMPERED');
  // the tag moved into the ciphertext part: the same bytes, another split
  await expectCode(codec.decode('session', [...p.slice(0, 5), p[5]! + p[6]!.slice(0, 2), p[6]!.slice(2)].join('.')), 'ERR_COOKIE_TAMPERED');
});

test('sealed: a value sealed in one key epoch still opens in the next', async () => {
  const { codec, clock } = await setup('sealed');
  const epochEnd = (Math.floor(T0 / 1000 / EPOCH_SECONDS) + 1) * EPOCH_SECONDS * 1000;
  clock.now = epochEnd - 1000;
  const before = await codec.encode('session', data);
  clock.now = epochEnd + 1000;
  const after = await codec.encode('session', data);
  assert.deepEqual((await codec.decode('session', before)).data, data);
  assert.deepEqual((await codec.decode('session', after)).data, data);
});

test('sealed: a forged issued-at outside maxAge + clockSkew never triggers a key derivation', async (t) => {
  const { codec, keyring } = await setup('sealed');
  const p = (await codec.encode('session', data)).split('.');
  const derive = t.mock.method(crypto.subtle, 'deriveKey');
  const iat = Number(p[2]);
  for (const forged of [iat - 7200, iat + 7200, 1, 99_999_999_999 - 3600]) {
    const v = [p[0], p[1], String(forged), String(forged + 3600), ...p.slice(4)].join('.');
    const err = await rejection(codec.decode('session', v));
    assert.ok(['ERR_COOKIE_EXPIRED', 'ERR_COOKIE_NOT_YET_VALID'].includes(err.code), err.code);
  }
  assert.equal(derive.mock.callCount(), 0);
  // within the window, a forged time costs at most one derivation per epoch of the window
  const before = keyring.primary.cachedEpochs;
  for (let back = 600; back < 3600; back += 600) {
    const v = [p[0], p[1], String(iat - back), String(iat - back + 3600), ...p.slice(4)].join('.');
    await expectCode(codec.decode('session', v), 'ERR_COOKIE_TAMPERED');
  }
  assert.ok(keyring.primary.cachedEpochs - before <= 1);
});

test('sealed: an authentic payload that is not UTF-8 JSON is ERR_COOKIE_MALFORMED', async () => {
  const { codec, keyring } = await setup('sealed');
  const iat = Math.floor(T0 / 1000);
  const header = `1s.k-new.${iat}.${iat + 60}`;
  const key = await keyring.primary.sealingKey(Math.floor(iat / EPOCH_SECONDS));
  for (const payload of [new TextEncoder().encode('{not json'), new Uint8Array([0xff, 0xfe])]) {
    const value = `${header}.${await seal(key, payload, boundContext(header, header.length, 'session'))}`;
    await expectCode(codec.decode('session', value), 'ERR_COOKIE_MALFORMED');
  }
});

// Decode step 3 refuses an empty ciphertext by its length. Only a writer holding the key can
// make one authentic, so the step is what keeps such a value from reaching decrypt and JSON.parse.
test('sealed: refuses an empty ciphertext at the shape step, before any crypto, even one sealed with the right key', async (t) => {
  const { codec, keyring } = await setup('sealed');
  const iat = Math.floor(T0 / 1000);
  const header = `1s.k-new.${iat}.${iat + 60}`;
  const key = await keyring.primary.sealingKey(Math.floor(iat / EPOCH_SECONDS));
  const value = `${header}.${await seal(key, new Uint8Array(0), boundContext(header, header.length, 'session'))}`;
  assert.equal(value.split('.')[5], '');
  const decrypt = t.mock.method(crypto.subtle, 'decrypt');
  await expectCode(codec.decode('session', value), 'ERR_COOKIE_TAMPERED');
  assert.equal(decrypt.mock.callCount(), 0);
});

test('sealed: encodes with a new keyring derived lazily for the current epoch', async () => {
  const { keyring } = await setup('sealed');
  const codec = new CookieCodec({ keyring, now: () => T0 });
  assert.equal(codec.mode, 'sealed');
  assert.deepEqual((await codec.decode('s', await codec.encode('s', [1, 2]))).data, [1, 2]);
});

test('sealed: derives the current epoch key at construction and the next one near the epoch end', async (t) => {
  const keyring = await Keyring.create([{ id: 'k', secret: new Uint8Array(32).fill(1) }]);
  const epochEnd = (Math.floor(T0 / 1000 / EPOCH_SECONDS) + 1) * EPOCH_SECONDS * 1000;
  const clock = { now: epochEnd - 600_000 };
  const derive = t.mock.method(crypto.subtle, 'deriveKey');
  const codec = new CookieCodec({ keyring, mode: 'sealed', now: () => clock.now });
  assert.equal(derive.mock.callCount(), 1, 'the current epoch, warmed by the constructor');
  await codec.encode('s', 1);
  assert.equal(derive.mock.callCount(), 1, 'no derivation on the request path');
  clock.now = epochEnd - 200_000; // inside the last 5 minutes
  await codec.encode('s', 1);
  assert.equal(derive.mock.callCount(), 2, 'the next epoch, warmed ahead');
  clock.now = epochEnd + 1000;
  await codec.encode('s', 1);
  assert.equal(derive.mock.callCount(), 2, 'the new epoch was ready');
  // a swapped keyring is warmed too; a signed codec needs no sealing keys
  codec.keyring = await Keyring.create([{ id: 'fresh', secret: new Uint8Array(32).fill(3) }]);
  assert.equal(derive.mock.callCount(), 3 + 1, 'one HMAC key at create, one sealing key warmed');
  new CookieCodec({ keyring, mode: 'signed', now: () => clock.now });
  new CookieCodec({ keyring, mode: 'sealed', now: () => Number.NaN });
  assert.equal(derive.mock.callCount(), 4);
});

test('sealed: a failed background derivation is retried by the request that needs the key', async (t) => {
  const { keyring } = await setup('sealed');
  const derive = t.mock.method(crypto.subtle, 'deriveKey', () => Promise.reject(new Error('flaky')));
  const codec = new CookieCodec({ keyring, mode: 'sealed', now: () => T0 + 7 * 86_400_000 });
  await new Promise((resolve) => setImmediate(resolve));
  derive.mock.restore();
  assert.deepEqual((await codec.decode('s', await codec.encode('s', [1]))).data, [1]);
});

// The last 5 minutes of an epoch start exactly 300 s before its end (src/codec/cookie-codec.ts #warm).
test('sealed: warms the next epoch from exactly 5 minutes before the epoch ends, not a millisecond earlier', async (t) => {
  const epochEnd = (Math.floor(T0 / 1000 / EPOCH_SECONDS) + 1) * EPOCH_SECONDS * 1000;
  const fresh = () => Keyring.create([{ id: 'k', secret: new Uint8Array(32).fill(5) }]);
  const derive = t.mock.method(crypto.subtle, 'deriveKey');
  const derivations = async (run: () => unknown): Promise<number> => {
    const before = derive.mock.callCount();
    await run();
    return derive.mock.callCount() - before;
  };
  let keyring = await fresh();
  assert.equal(await derivations(() => new CookieCodec({ keyring, now: () => epochEnd - 300_001 })), 1, 'this epoch only');
  keyring = await fresh();
  assert.equal(await derivations(() => new CookieCodec({ keyring, now: () => epochEnd - 300_000 })), 2, 'this epoch and the next');
  // an encode at that instant warms the next epoch for a codec made earlier in the epoch
  keyring = await fresh();
  const clock = { now: epochEnd - 600_000 };
  const codec = new CookieCodec({ keyring, now: () => clock.now });
  clock.now = epochEnd - 300_001;
  assert.equal(await derivations(() => codec.encode('s', 1)), 0);
  clock.now = epochEnd - 300_000;
  assert.equal(await derivations(() => codec.encode('s', 1)), 1);
});

test('sealed: a clock at 0 is a valid time, so the constructor warms epoch 0', async (t) => {
  const keyring = await Keyring.create([{ id: 'k', secret: new Uint8Array(32).fill(5) }]);
  const derive = t.mock.method(crypto.subtle, 'deriveKey');
  new CookieCodec({ keyring, now: () => 0 });
  assert.equal(derive.mock.callCount(), 1);
});

// Known-answer tests proving the Web Crypto primitives are called the way the specs define them:
// RFC 5869 A.1 (HKDF-SHA256), RFC 4231 test case 2 (HMAC-SHA256) and the GCM specification's
// AES-256 test cases 13, 14 and 16 (McGrew & Viega, "The Galois/Counter Mode of Operation").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, verify } from '../../src/codec/signed.js';
import { seal, open } from '../../src/codec/sealed.js';
import { encodeBase64url } from '../../src/bytes/base64url.js';

const subtle = crypto.subtle;
const hex = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array((h.match(/../g) ?? []).map((b) => parseInt(b, 16)));
const b64 = (h: string): string => encodeBase64url(hex(h));

test('HKDF-SHA256 through subtle.deriveBits matches RFC 5869 A.1', async () => {
  const ikm = await subtle.importKey('raw', hex('0b'.repeat(22)), 'HKDF', false, ['deriveBits']);
  const okm = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: hex('000102030405060708090a0b0c'), info: hex('f0f1f2f3f4f5f6f7f8f9') }, ikm, 42 * 8);
  assert.deepEqual(new Uint8Array(okm), hex('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'));
});

test('sign and verify implement HMAC-SHA256 as in RFC 4231 test case 2', async () => {
  const key = await subtle.importKey('raw', new TextEncoder().encode('Jefe'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const data = new TextEncoder().encode('what do ya want for nothing?');
  const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
  assert.equal(await sign(key, data), b64(expected));
  assert.equal(await verify(key, hex(expected), data), true);
  const wrong = hex(expected);
  wrong[31]! ^= 1;
  assert.equal(await verify(key, wrong, data), false);
});

const gcmCases = [
  { tc: 13, key: '00'.repeat(32), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  { tc: 14, key: '00'.repeat(32), iv: '00'.repeat(12), pt: '00'.repeat(16), aad: '', ct: 'cea7403d4d606b6e074ec5d3baf39d18', tag: 'd0d1c8a799996bf0265b98b5d48ab919' },
  {
    tc: 16,
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

for (const c of gcmCases) {
  test(`seal and open implement AES-256-GCM with a 128-bit tag as in GCM test case ${c.tc}`, async () => {
    const key = await subtle.importKey('raw', hex(c.key), 'AES-GCM', false, ['encrypt', 'decrypt']);
    const text = await seal(key, hex(c.pt), hex(c.aad), hex(c.iv));
    assert.equal(text, `${b64(c.iv)}.${b64(c.ct)}.${b64(c.tag)}`);
    const opened = await open(key, hex(c.iv), hex(c.ct + c.tag), hex(c.aad));
    assert.deepEqual(opened, hex(c.pt));
    const forged = hex(c.ct + c.tag);
    forged[forged.length - 1]! ^= 0x80;
    assert.equal(await open(key, hex(c.iv), forged, hex(c.aad)), null);
  });
}

test('open reports a platform failure as ERR_CRYPTO, not as tampering', async () => {
  const hmac = await subtle.importKey('raw', hex('00'.repeat(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  await assert.rejects(open(hmac, hex('00'.repeat(12)), hex('00'.repeat(16)), hex('')), { code: 'ERR_CRYPTO', kind: 'internal' });
  await assert.rejects(seal(hmac, hex('00'), hex('')), { code: 'ERR_CRYPTO', kind: 'internal' });
  await assert.rejects(sign(await subtle.importKey('raw', hex('00'.repeat(32)), 'AES-GCM', false, ['encrypt']), hex('00')), { code: 'ERR_CRYPTO' });
  await assert.rejects(verify(await subtle.importKey('raw', hex('00'.repeat(32)), 'AES-GCM', false, ['encrypt']), hex('00'), hex('00')), { code: 'ERR_CRYPTO' });
});

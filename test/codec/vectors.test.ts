// Replays the committed known-answer vectors (scripts/generate-vectors.ts): every passing value
// decodes to its data and re-encodes byte for byte; every failing value fails with its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Keyring } from '../../src/keys/keyring.js';
import { CookieCodec, type CodecMode } from '../../src/codec/cookie-codec.js';
import { seal } from '../../src/codec/sealed.js';
import { boundContext, formatHeader } from '../../src/codec/envelope.js';
import { EPOCH_SECONDS, SIGNING_INFO } from '../../src/keys/derive.js';
import { decodeBase64url } from '../../src/bytes/base64url.js';
import { utf8Encode } from '../../src/bytes/utf8.js';
import { expectCode } from './codec-suite.js';

interface Vectors {
  now: number;
  maxAge: number;
  clockSkew: number;
  keys: Array<{ id: string; secret: string }>;
  derivedKeys: Record<string, Record<string, string>>;
  passing: Array<{ description: string; mode: CodecMode; name: string; data: unknown; maxAge?: number; value: string; decoded: { issuedAt: number; expiresAt: number; keyId: string; stale: boolean } }>;
  failing: Array<{ description: string; mode: CodecMode; name: string; value: string; now: number; code: 'ERR_COOKIE_TAMPERED' }>;
}
const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Vectors;
const ring = await Keyring.create(vectors.keys);
const codec = (mode: CodecMode, now: number, keyring = ring) => new CookieCodec({ keyring, mode, maxAge: vectors.maxAge, clockSkew: vectors.clockSkew, now: () => now });

test('the vector file has both buckets for both modes', () => {
  for (const mode of ['sealed', 'signed']) {
    assert.ok(vectors.passing.filter((v) => v.mode === mode).length >= 4);
    assert.ok(vectors.failing.filter((v) => v.mode === mode).length >= 15);
  }
});

for (const v of vectors.passing) {
  test(`passing vector decodes: ${v.description}`, async () => {
    const out = await codec(v.mode, vectors.now).decode(v.name, v.value);
    assert.deepEqual(out.data, v.data);
    assert.deepEqual({ issuedAt: out.issuedAt, expiresAt: out.expiresAt, keyId: out.keyId, stale: out.stale }, v.decoded);
  });

  test(`passing vector re-encodes byte for byte: ${v.description}`, async () => {
    const keyring = await Keyring.create(vectors.keys.filter((k) => k.id === v.decoded.keyId));
    const options = v.maxAge === undefined ? {} : { maxAge: v.maxAge };
    if (v.mode === 'signed') {
      assert.equal(await codec('signed', vectors.now, keyring).encode(v.name, v.data, options), v.value);
      return;
    }
    // Sealed values carry a random IV: seal again with the vector's IV and compare the rest.
    const iat = Math.floor(vectors.now / 1000);
    const header = formatHeader('1s', v.decoded.keyId, iat, iat + (v.maxAge ?? vectors.maxAge));
    const iv = decodeBase64url(v.value.split('.')[4]!)!;
    const key = await keyring.primary.sealingKey(Math.floor(iat / EPOCH_SECONDS));
    const body = await seal(key, utf8Encode(JSON.stringify(v.data)), boundContext(header, header.length, v.name), iv);
    assert.equal(`${header}.${body}`, v.value);
  });
}

for (const f of vectors.failing) {
  test(`failing vector is rejected as ${f.code}: ${f.description}`, async () => {
    await expectCode(codec(f.mode, f.now).decode(f.name, f.value), f.code);
  });
}

test('the derived subkeys match the HKDF labels recorded in the vectors', async () => {
  for (const key of vectors.keys) {
    const base = await crypto.subtle.importKey('raw', decodeBase64url(key.secret)!, 'HKDF', false, ['deriveBits']);
    for (const [info, hex] of Object.entries(vectors.derivedKeys[key.id]!)) {
      const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) }, base, 256);
      assert.equal(Buffer.from(bits).toString('hex'), hex, info);
    }
    const signing = await crypto.subtle.importKey('raw', Buffer.from(vectors.derivedKeys[key.id]![SIGNING_INFO]!, 'hex'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const message = new TextEncoder().encode('m');
    assert.deepEqual(await crypto.subtle.sign('HMAC', signing, message), await crypto.subtle.sign('HMAC', ring.get(key.id)!.signingKey, message));
  }
});

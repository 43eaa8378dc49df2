#!/usr/bin/env -S npx tsx
// Writes test/codec/vectors.json: known-answer vectors for wire format v1, from a fixed key,
// fixed IVs and a fixed clock, in a passing and a failing bucket. Run: npm run vectors
// Every expectation is checked against the codec before the file is written, and the test
// (test/codec/vectors.test.ts) checks it again, so a format change cannot slip through unnoticed.
import { writeFileSync } from 'node:fs';

// Fixed IVs: IV number i is cafebabefacedbad followed by i as a big-endian uint32. The codec
// takes IVs from crypto.getRandomValues in batches; this stands in for it while generating.
const IV_PREFIX = [0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad];
let ivCounter = 0;
crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
  const bytes = new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength);
  for (let at = 0; at + 12 <= bytes.length; at += 12) {
    bytes.set(IV_PREFIX, at);
    new DataView(bytes.buffer, bytes.byteOffset + at + 8, 4).setUint32(0, ivCounter++);
  }
  return array;
}) as Crypto['getRandomValues'];

const { Keyring } = await import('../src/keys/keyring.js');
const { CookieCodec } = await import('../src/codec/cookie-codec.js');
const { SIGNING_INFO, sealingInfo, EPOCH_SECONDS } = await import('../src/keys/derive.js');
const { encodeBase64url } = await import('../src/bytes/base64url.js');
const { SessionError } = await import('../src/errors.js');

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0); // 2026-11-26T12:00:00Z
const KEYS = [
  { id: '2026-11', secret: encodeBase64url(new Uint8Array(32).map((_, i) => i)) },
  { id: '2026-10', secret: encodeBase64url(new Uint8Array(32).map((_, i) => 32 + i)) },
];
const MAX_AGE = 3600;
type Mode = 'sealed' | 'signed';

const ring = await Keyring.create(KEYS);
const oldOnly = await Keyring.create([KEYS[1]!]);
const codecs = (keyring: Awaited<ReturnType<typeof Keyring.create>>, now: number) => ({
  sealed: new CookieCodec({ keyring, mode: 'sealed', maxAge: MAX_AGE, now: () => now }),
  signed: new CookieCodec({ keyring, mode: 'signed', maxAge: MAX_AGE, now: () => now }),
});
const current = codecs(ring, NOW);
const older = codecs(oldOnly, NOW);

interface Passing { description: string; mode: Mode; name: string; data: unknown; maxAge?: number; value: string; decoded: { issuedAt: number; expiresAt: number; keyId: string; stale: boolean } }
interface Failing { description: string; mode: Mode; name: string; value: string; now: number; code: string }

const passing: Passing[] = [];
const cases: Array<[string, Mode, string, unknown, number | undefined, 'current' | 'older']> = [];
for (const mode of ['sealed', 'signed'] as const) {
  cases.push(
    [`${mode}: a small session object`, mode, 'session', { userId: 'u1', roles: ['admin'] }, undefined, 'current'],
    [`${mode}: non-ASCII text`, mode, 'session', { name: 'Zoë ☃ 𝄞' }, undefined, 'current'],
    [`${mode}: a bare number, a per-call maxAge of 60 s`, mode, '__Host-s', 0, 60, 'current'],
    [`${mode}: __proto__ kept as a plain key`, mode, 'session', JSON.parse('{"__proto__":{"admin":true}}'), undefined, 'current'],
    [`${mode}: made with the older key 2026-10 (decodes as stale)`, mode, 'session', { userId: 'u2' }, undefined, 'older'],
  );
}
for (const [description, mode, name, data, maxAge, which] of cases) {
  const codec = (which === 'current' ? current : older)[mode];
  const value = await codec.encode(name, data, maxAge === undefined ? {} : { maxAge });
  const { data: _data, ...decoded } = await current[mode].decode(name, value);
  passing.push({ description, mode, name, data, ...(maxAge === undefined ? {} : { maxAge }), value, decoded });
}

const failing: Failing[] = [];
const fail = (description: string, mode: Mode, value: string, code: string, name = 'session', now = NOW) => failing.push({ description, mode, name, value, now, code });
const b64 = (n: number, fill = 0) => encodeBase64url(new Uint8Array(n).fill(fill));
for (const mode of ['sealed', 'signed'] as const) {
  const v = passing.find((p) => p.mode === mode && p.description.endsWith('a small session object'))!;
  const p = v.value.split('.');
  const last = p.length - 1;
  const flipLast = (s: string) => s.slice(0, -1) + (s.at(-1) === 'A' ? 'E' : 'A');
  const other = passing.find((x) => x.mode === mode && x.maxAge === 60)!.value.split('.');
  fail(`${mode}: last character of the ${mode === 'sealed' ? 'tag' : 'mac'} changed`, mode, [...p.slice(0, last), flipLast(p[last]!)].join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: first character of the ${mode === 'sealed' ? 'ciphertext' : 'payload'} changed`, mode, p.map((x, i) => (i === last - 1 ? (x[0] === 'e' ? 'f' : 'e') + x.slice(1) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: another cookie name`, mode, v.value, 'ERR_COOKIE_TAMPERED', 'session2');
  fail(`${mode}: truncated by one character`, mode, v.value.slice(0, -1), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: one extra character`, mode, `${v.value}A`, 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: the header of one value on the body of another`, mode, [...p.slice(0, 4), ...other.slice(4)].join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: expires-at pushed back by an hour`, mode, p.map((x, i) => (i === 3 ? String(Number(x) + 3600) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: a time with a leading zero`, mode, p.map((x, i) => (i === 2 ? `0${x}` : x)).join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: padding after the last part`, mode, `${v.value}=`, 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: a '+' (plain base64) in the last part`, mode, [...p.slice(0, last), `+${p[last]!.slice(1)}`].join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: whitespace inside`, mode, v.value.replace('.', ' .'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: non-canonical trailing bits in the last part`, mode, [...p.slice(0, last), p[last]!.slice(0, -1) + String.fromCharCode(p[last]!.charCodeAt(p[last]!.length - 1) + 1)].join('.'), 'ERR_COOKIE_TAMPERED');
  fail(`${mode}: unknown version 2`, mode, `2${v.value.slice(1)}`, 'ERR_COOKIE_VERSION');
  fail(`${mode}: the other mode's tag`, mode, (mode === 'sealed' ? '1m' : '1s') + v.value.slice(2), 'ERR_COOKIE_VERSION');
  fail(`${mode}: a key id that is not in the ring`, mode, v.value.replace('2026-11', '2026-09'), 'ERR_COOKIE_KEY_UNKNOWN');
  fail(`${mode}: exactly at expiresAt`, mode, v.value, 'ERR_COOKIE_EXPIRED', 'session', v.decoded.expiresAt);
  fail(`${mode}: issued 31 s in the future (skew 30 s)`, mode, v.value, 'ERR_COOKIE_NOT_YET_VALID', 'session', v.decoded.issuedAt - 31_000);
  fail(`${mode}: name + value over 4096 bytes`, mode, v.value + 'A'.repeat(4096 - v.value.length), 'ERR_COOKIE_TOO_LARGE');
  if (mode === 'sealed') {
    fail('sealed: IV of 11 bytes', mode, p.map((x, i) => (i === 4 ? b64(11) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
    fail('sealed: IV of 13 bytes', mode, p.map((x, i) => (i === 4 ? b64(13) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
    fail('sealed: tag of 15 bytes', mode, p.map((x, i) => (i === 6 ? b64(15) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
  } else {
    fail('signed: MAC of 31 bytes', mode, p.map((x, i) => (i === 5 ? b64(31) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
    fail('signed: payload edited to {"userId":"admin"}', mode, p.map((x, i) => (i === 4 ? encodeBase64url(new TextEncoder().encode('{"userId":"admin"}')) : x)).join('.'), 'ERR_COOKIE_TAMPERED');
  }
}

// Check every expectation before writing anything.
for (const v of passing) {
  const out = await current[v.mode].decode(v.name, v.value);
  if (JSON.stringify(out.data) !== JSON.stringify(v.data)) throw new Error(`passing vector does not round-trip: ${v.description}`);
}
for (const f of failing) {
  const err = await codecs(ring, f.now)[f.mode].decode(f.name, f.value).then(() => null, (e: unknown) => e);
  if (!(err instanceof SessionError) || err.code !== f.code) throw new Error(`failing vector ${f.description}: expected ${f.code}, got ${err instanceof SessionError ? err.code : 'success'}`);
}

// The derived subkeys, for other implementations (these are test keys: never use them).
const derived: Record<string, Record<string, string>> = {};
for (const key of KEYS) {
  const raw = Uint8Array.from(Buffer.from(key.secret, 'base64url'));
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
  const bits = async (info: string) => hex(new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) }, base, 256)));
  const epoch = Math.floor(NOW / 1000 / EPOCH_SECONDS);
  derived[key.id] = { [SIGNING_INFO]: await bits(SIGNING_INFO), [sealingInfo(epoch)]: await bits(sealingInfo(epoch)) };
}

const file = {
  comment: 'Known-answer vectors for cachet wire format v1. Generated by scripts/generate-vectors.ts (npm run vectors); do not edit by hand. The keys are public test keys.',
  now: NOW,
  maxAge: MAX_AGE,
  clockSkew: 30,
  keys: KEYS,
  ivs: 'IV number i (in order of the passing vectors, sealed ones only) is cafebabefacedbad || uint32be(i)',
  derivedKeys: derived,
  passing,
  failing,
};
const target = new URL('../test/codec/vectors.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(file, null, 2)}\n`);
console.log(`wrote ${passing.length} passing and ${failing.length} failing vectors to ${target.pathname}`);

// The one codec suite, run for both modes by sealed.test.ts and signed.test.ts (habit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CookieCodec, type CodecMode, type CookieCodecOptions } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { SessionError, type SessionErrorCode } from '../../src/errors.js';
import { encodeBase64url } from '../../src/bytes/base64url.js';
import { fuzzAsync, seed } from '../fuzz/seed.js';

export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0, 250); // a fixed clock, 250 ms past a second
export const SECRET_A = new Uint8Array(32).map((_, i) => i + 1);
export const SECRET_B = new Uint8Array(32).map((_, i) => 200 - i);
export const UNIFORM_MESSAGE = 'cookie value could not be authenticated';

/** A codec on a controllable clock. */
export async function setup(mode: CodecMode, options: Partial<CookieCodecOptions> = {}) {
  const clock = { now: T0 };
  const keyring = await Keyring.create([{ id: 'k-new', secret: SECRET_A }, { id: 'k-old', secret: SECRET_B }]);
  const codec = new CookieCodec({ keyring, mode, maxAge: 3600, now: () => clock.now, ...options });
  return { clock, keyring, codec };
}

/** Awaits a decode that must fail; returns its SessionError. */
export async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  const err = await promise.then(
    (ok) => assert.fail(`expected a decode error, got ${JSON.stringify(ok)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SessionError, String(err));
  return err;
}

export async function expectCode(promise: Promise<unknown>, code: SessionErrorCode): Promise<SessionError> {
  const err = await rejection(promise);
  assert.equal(err.code, code, `${err.code}: ${err.detail ?? ''}`);
  assert.equal(err.kind, err.code === 'ERR_CRYPTO' ? 'internal' : 'decode');
  if (code === 'ERR_COOKIE_TAMPERED') assert.equal(err.message, UNIFORM_MESSAGE);
  return err;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Seeded so a failure replays: FUZZ_SEED=<seed in the failure message> node scripts/run-tests.mjs test/codec

export function codecSuite(mode: CodecMode): void {
  const tag = mode === 'sealed' ? '1s' : '1m';
  const parts = mode === 'sealed' ? 7 : 6;
  const data = { userId: 'u1', roles: ['admin'], n: 42, nested: { ok: true, s: 'héllo ☃' } };

  test(`${mode}: round-trips data and reports times in ms, the key id and stale=false`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    const out = await codec.decode('session', value);
    assert.deepEqual(out, { data, issuedAt: T0 - 250, expiresAt: T0 - 250 + 3_600_000, keyId: 'k-new', stale: false });
  });

  test(`${mode}: writes only base64url characters and dots, in ${parts} parts after the ${tag} tag`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    assert.match(value, /^[A-Za-z0-9_.-]+$/);
    const split = value.split('.');
    assert.equal(split.length, parts);
    assert.deepEqual(split.slice(0, 4), [tag, 'k-new', String((T0 - 250) / 1000), String((T0 - 250) / 1000 + 3600)]);
    assert.equal(codec.mode, mode);
  });

  test(`${mode}: a per-call maxAge shortens the life of one value, up to the codec's maxAge`, async () => {
    const { codec, clock } = await setup(mode);
    const value = await codec.encode('session', data, { maxAge: 60 });
    assert.equal((await codec.decode('session', value)).expiresAt, T0 - 250 + 60_000);
    clock.now = T0 - 250 + 60_000;
    await expectCode(codec.decode('session', value), 'ERR_COOKIE_EXPIRED');
    for (const maxAge of [3601, 0, 1.5, -1, Number.NaN]) {
      await assert.rejects(codec.encode('session', data, { maxAge }), { code: 'ERR_OPTIONS_INVALID', kind: 'usage' });
    }
  });

  test(`${mode}: decodes one millisecond before expiresAt and rejects a value exactly at expiresAt`, async () => {
    const { codec, clock } = await setup(mode);
    const value = await codec.encode('session', data);
    const { expiresAt } = await codec.decode('session', value);
    clock.now = expiresAt - 1;
    await codec.decode('session', value);
    clock.now = expiresAt;
    await expectCode(codec.decode('session', value), 'ERR_COOKIE_EXPIRED');
    clock.now = expiresAt + 86_400_000 * 365;
    await expectCode(codec.decode('session', value), 'ERR_COOKIE_EXPIRED');
  });

  test(`${mode}: accepts an issued-at up to clockSkew in the future and rejects one beyond it`, async () => {
    const { codec, keyring, clock } = await setup(mode, { clockSkew: 30 });
    const ahead = { now: T0 + 30_000 };
    const fast = new CookieCodec({ keyring, mode, maxAge: 3600, now: () => ahead.now });
    clock.now = T0 - 250; // issuer is exactly 30.25 s ahead once floored to 30 s: allowed
    assert.equal((await codec.decode('s', await fast.encode('s', 1))).data, 1);
    ahead.now = T0 + 31_000;
    await expectCode(codec.decode('s', await fast.encode('s', 1)), 'ERR_COOKIE_NOT_YET_VALID');
    const strict = new CookieCodec({ keyring, mode, maxAge: 3600, clockSkew: 0, now: () => clock.now });
    ahead.now = T0 + 1000;
    await expectCode(strict.decode('s', await fast.encode('s', 1)), 'ERR_COOKIE_NOT_YET_VALID');
  });

  test(`${mode}: lowering the codec's maxAge shortens values issued under a longer one`, async () => {
    const { codec, keyring, clock } = await setup(mode);
    const value = await codec.encode('session', data);
    const short = new CookieCodec({ keyring, mode, maxAge: 60, now: () => clock.now });
    assert.equal((await short.decode('session', value)).expiresAt, T0 - 250 + 60_000);
    clock.now = T0 + 60_000;
    await expectCode(short.decode('session', value), 'ERR_COOKIE_EXPIRED');
  });

  test(`${mode}: rejects a value made for another cookie name`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    await expectCode(codec.decode('session2', value), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('Session', value), 'ERR_COOKIE_TAMPERED');
    // the name is bound after the fixed header, so dots in names cannot shift the boundary
    // a non-ASCII name (no cookie layer would allow it, but the codec still binds it exactly)
    const odd = await codec.encode('séssion', data);
    assert.deepEqual((await codec.decode('séssion', odd)).data, data);
    await expectCode(codec.decode('sèssion', odd), 'ERR_COOKIE_TAMPERED');
    const dotted = await codec.encode('a.b', data);
    await expectCode(codec.decode('a', dotted), 'ERR_COOKIE_TAMPERED');
    assert.deepEqual((await codec.decode('a.b', dotted)).data, data);
  });

  test(`${mode}: rejects every altered character, with the code the altered part allows`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    const starts: number[] = [];
    value.split('.').reduce((at, part) => (starts.push(at), at + part.length + 1), 0);
    const partOf = (i: number) => starts.filter((s) => s <= i).length - 1;
    const allowed: Record<number, SessionErrorCode[]> = {
      0: ['ERR_COOKIE_VERSION', 'ERR_COOKIE_TAMPERED'],
      1: ['ERR_COOKIE_KEY_UNKNOWN', 'ERR_COOKIE_TAMPERED'],
      2: ['ERR_COOKIE_TAMPERED', 'ERR_COOKIE_EXPIRED', 'ERR_COOKIE_NOT_YET_VALID'],
      3: ['ERR_COOKIE_TAMPERED', 'ERR_COOKIE_EXPIRED', 'ERR_COOKIE_NOT_YET_VALID'],
    };
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      // one change that keeps the character class (digit -> digit, base64url -> a 1-bit change), one that does not
      const same = /[0-9]/.test(c) && partOf(i) >= 2 && partOf(i) <= 3 ? String((Number(c) + 1) % 10) : c === '.' ? '_' : B64[B64.indexOf(c) ^ 1]!;
      for (const r of [same, c === '~' ? '!' : '~']) {
        const err = await rejection(codec.decode('session', value.slice(0, i) + r + value.slice(i + 1)));
        const codes = value[i] === '.' ? ['ERR_COOKIE_TAMPERED'] : (allowed[partOf(i)] ?? ['ERR_COOKIE_TAMPERED']);
        assert.ok(codes.includes(err.code), `char ${i} (${c} -> ${r}) in part ${partOf(i)}: ${err.code} ${err.detail}`);
        if (err.code === 'ERR_COOKIE_TAMPERED') assert.equal(err.message, UNIFORM_MESSAGE);
      }
    }
  });

  test(`${mode}: rejects every truncation with the one tampering code and message`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    const details = new Set<string>();
    for (let i = 0; i < value.length; i++) {
      const err = await expectCode(codec.decode('session', value.slice(0, i)), 'ERR_COOKIE_TAMPERED');
      details.add(err.detail ?? '');
      assert.ok(!err.message.includes(err.detail ?? '\u0000'));
    }
    assert.ok(details.size > 1, 'the detail tells the reasons apart for debug hooks');
  });

  test(`${mode}: rejects one extra character or one extra part`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    for (const extra of ['A', 'Q', '-', '.', '.A', '=']) await expectCode(codec.decode('session', value + extra), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('session', `${value}.${value}`), 'ERR_COOKIE_TAMPERED');
  });

  test(`${mode}: rejects swapped parts and a header pasted onto another value's body`, async () => {
    const { codec, clock } = await setup(mode);
    const a = (await codec.encode('session', { user: 'alice' })).split('.');
    clock.now += 1000;
    const b = (await codec.encode('session', { user: 'mallory' })).split('.');
    const swap = (p: string[], i: number, j: number) => p.map((x, k) => (k === i ? p[j]! : k === j ? p[i]! : x)).join('.');
    for (let i = 4; i < parts; i++) for (let j = i + 1; j < parts; j++) await expectCode(codec.decode('session', swap(a, i, j)), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('session', [...a.slice(0, 4), ...b.slice(4)].join('.')), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('session', [...b.slice(0, 5), ...a.slice(5)].join('.')), 'ERR_COOKIE_TAMPERED');
    // issued-at and expires-at swapped: the claimed issue time is in the future
    await rejection(codec.decode('session', swap(a, 2, 3)));
  });

  test(`${mode}: rejects a value made with other key material under the same key id`, async () => {
    const { codec } = await setup(mode);
    const impostor = await Keyring.create([{ id: 'k-new', secret: new Uint8Array(32).fill(99) }]);
    const forged = await new CookieCodec({ keyring: impostor, mode, maxAge: 3600, now: () => T0 }).encode('session', data);
    await expectCode(codec.decode('session', forged), 'ERR_COOKIE_TAMPERED');
  });

  test(`${mode}: a value from an older key opens as stale, and fails as unknown once that key is removed`, async () => {
    const { codec, clock } = await setup(mode);
    const oldRing = await Keyring.create([{ id: 'k-old', secret: SECRET_B }]);
    const oldValue = await new CookieCodec({ keyring: oldRing, mode, maxAge: 3600, now: () => clock.now }).encode('session', data);
    const out = await codec.decode('session', oldValue);
    assert.equal(out.stale, true);
    assert.equal(out.keyId, 'k-old');
    assert.deepEqual(out.data, data);
    // re-issuing moves the value to the primary key
    assert.equal((await codec.decode('session', await codec.encode('session', out.data))).stale, false);
    // rotation finished: a SIGHUP reload swaps the keyring of the running codec
    codec.keyring = await Keyring.create([{ id: 'k-new', secret: SECRET_A }]);
    await expectCode(codec.decode('session', oldValue), 'ERR_COOKIE_KEY_UNKNOWN');
    assert.equal(codec.keyring.primaryId, 'k-new');
    assert.throws(() => (codec.keyring = {} as Keyring), { code: 'ERR_OPTIONS_INVALID', message: 'keyring must be made by Keyring.create()' });
    // The likeliest mistake: Keyring.create()'s promise, passed without await.
    const pending = Keyring.create([{ id: 'p1', secret: 'q8Vt1Q2mF0yJx4d7nR9sLk3WcZp6bHe5uTa8gNiXo1E' }]);
    assert.throws(() => (codec.keyring = pending as unknown as Keyring), { code: 'ERR_OPTIONS_INVALID', message: 'keyring is a Promise: await Keyring.create() before passing its keyring' });
    await pending;
  });

  test(`${mode}: rejects an unknown version and the other mode's values as ERR_COOKIE_VERSION`, async () => {
    const { codec, keyring } = await setup(mode);
    const value = await codec.encode('session', data);
    for (const t of ['2s', '2m', '0s', '10s', mode === 'sealed' ? '1m' : '1s']) {
      await expectCode(codec.decode('session', t + value.slice(2)), 'ERR_COOKIE_VERSION');
    }
    const other = new CookieCodec({ keyring, mode: mode === 'sealed' ? 'signed' : 'sealed', maxAge: 3600, now: () => T0 });
    await expectCode(codec.decode('session', await other.encode('session', data)), 'ERR_COOKIE_VERSION');
    await expectCode(codec.decode('session', 'hello'), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('session', ''), 'ERR_COOKIE_TAMPERED');
  });

  test(`${mode}: reads a version tag only as the whole first part: a tag with anything before it is tampering`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    for (const t of ['x2s', 'x1s', '-2m']) await expectCode(codec.decode('session', t + value.slice(2)), 'ERR_COOKIE_TAMPERED');
  });

  test(`${mode}: a clock in the first second of 1970 makes values that decode (issued-at 0)`, async () => {
    const { keyring } = await setup(mode);
    for (const now of [0, 999]) {
      const codec = new CookieCodec({ keyring, mode, maxAge: 3600, now: () => now });
      const value = await codec.encode('session', data);
      assert.equal(value.split('.')[2], '0');
      assert.deepEqual(await codec.decode('session', value), { data, issuedAt: 0, expiresAt: 3_600_000, keyId: 'k-new', stale: false });
    }
  });

  // A time is 1 to 11 plain digits with no leading zero. Each bad time below, if a digit or
  // length check slipped, would read as a time far enough off to fail as EXPIRED or NOT_YET_VALID
  // before authentication: so the code tells the shape step from the later ones.
  test(`${mode}: refuses a time that is empty, over 11 digits or not plain digits at the shape step, as tampering`, async (t) => {
    const { codec } = await setup(mode);
    const p = (await codec.encode('session', data)).split('.');
    const withTime = (i: number, time: string) => p.map((x, k) => (k === i ? time : x)).join('.');
    // At the shape step: the value never reaches Web Crypto, where an edited header would fail too.
    const verify = t.mock.method(crypto.subtle, 'verify');
    const decrypt = t.mock.method(crypto.subtle, 'decrypt');
    for (const i of [2, 3]) {
      const time = p[i]!;
      // '/' and ':' are the characters either side of '0'..'9'.
      for (const bad of ['', `12${time}`, `1-${time.slice(2)}`, `1a${time.slice(2)}`, `1/${time.slice(2)}`, `${time.slice(0, -1)}:`, `0${time}`, `+${time}`]) {
        await expectCode(codec.decode('session', withTime(i, bad)), 'ERR_COOKIE_TAMPERED');
      }
    }
    assert.equal(verify.mock.callCount() + decrypt.mock.callCount(), 0, 'no time above reached the crypto step');
  });

  test(`${mode}: binds a name past Latin-1 by its UTF-8 bytes, never by the low byte of each character`, async () => {
    const { codec } = await setup(mode);
    // U+0162 cut to a byte is 0x62, 'b': a binding that truncated would make these two names one.
    const value = await codec.encode('a\u0162', data);
    assert.deepEqual((await codec.decode('a\u0162', value)).data, data);
    await expectCode(codec.decode('ab', value), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('a\u0162', await codec.encode('ab', data)), 'ERR_COOKIE_TAMPERED');
  });

  test(`${mode}: encodes a value whose name and value fill maxBytes exactly, and refuses it under a limit one byte lower`, async () => {
    const { codec, keyring } = await setup(mode);
    const size = 'session'.length + (await codec.encode('session', data)).length;
    const exact = new CookieCodec({ keyring, mode, maxAge: 3600, now: () => T0, maxBytes: size });
    const value = await exact.encode('session', data);
    assert.equal('session'.length + value.length, size);
    assert.deepEqual((await exact.decode('session', value)).data, data);
    const under = new CookieCodec({ keyring, mode, maxAge: 3600, now: () => T0, maxBytes: size - 1 });
    await assert.rejects(under.encode('session', data), {
      code: 'ERR_COOKIE_TOO_LARGE',
      kind: 'usage',
      message: `cookie "session" would be ${size} bytes; browsers keep at most ${size - 1}`,
    });
    await expectCode(under.decode('session', value), 'ERR_COOKIE_TOO_LARGE');
  });

  test(`${mode}: rejects an oversized input before any crypto`, async (t) => {
    const { codec, keyring } = await setup(mode);
    const value = await codec.encode('session', data);
    // Warm nothing: a fresh ring, so even key derivation would show up on the spies.
    const fresh = new CookieCodec({ keyring: await Keyring.create([{ id: 'k-new', secret: SECRET_A }]), mode, now: () => T0 });
    const spies = (['decrypt', 'verify', 'deriveKey', 'deriveBits', 'importKey', 'encrypt', 'sign'] as const).map((m) => t.mock.method(crypto.subtle, m));
    const huge = value + 'A'.repeat(4096);
    await expectCode(fresh.decode('session', huge), 'ERR_COOKIE_TOO_LARGE');
    await expectCode(codec.decode('session', 'A'.repeat(4090)), 'ERR_COOKIE_TOO_LARGE');
    // name + value counts: 4096 in total passes the size step, 4097 does not
    await expectCode(codec.decode('n', 'x'.repeat(4095)), 'ERR_COOKIE_TAMPERED');
    await expectCode(codec.decode('nn', 'x'.repeat(4095)), 'ERR_COOKIE_TOO_LARGE');
    // encode refuses too: the size is known before encrypting
    await assert.rejects(codec.encode('session', { blob: 'x'.repeat(4000) }), { code: 'ERR_COOKIE_TOO_LARGE', kind: 'usage' });
    for (const spy of spies) assert.equal(spy.mock.callCount(), 0, spy.mock.calls.length ? 'crypto was called' : '');
    assert.ok(keyring.has('k-new'));
  });

  test(`${mode}: fills a cookie up to 4096 bytes of name and value, and refuses one byte more`, async () => {
    const { codec } = await setup(mode);
    const fits = (n: number) => codec.encode('session', 'x'.repeat(n)).then((v) => v, () => null);
    let lo = 0;
    let hi = 4096; // lo fits, hi does not
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await fits(mid)) === null) hi = mid;
      else lo = mid;
    }
    const fit = (await fits(lo))!;
    // the size is computed before encrypting; it must be exact, not merely safe
    assert.ok('session'.length + fit.length <= 4096);
    assert.ok('session'.length + fit.length > 4096 - 4, `${fit.length}`);
    await assert.rejects(codec.encode('session', 'x'.repeat(hi)), { code: 'ERR_COOKIE_TOO_LARGE', kind: 'usage' });
    assert.equal((await codec.decode('session', fit)).data, 'x'.repeat(lo));
  });

  test(`${mode}: keeps __proto__ keys as plain data and never pollutes prototypes`, async () => {
    const { codec } = await setup(mode);
    const evil = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":1}') as Record<string, unknown>;
    const out = await codec.decode<Record<string, unknown>>('session', await codec.encode('session', evil));
    assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
    assert.ok(Object.hasOwn(out.data, '__proto__'));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal((out.data as { polluted?: unknown }).polluted, undefined);
    assert.equal(out.data['a'], 1);
  });

  test(`${mode}: refuses data JSON cannot hold and a bad cookie name as usage errors`, async () => {
    const { codec } = await setup(mode);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    for (const bad of [undefined, () => 1, Symbol('s'), cycle, 10n]) {
      await assert.rejects(codec.encode('session', bad), { code: 'ERR_DATA_INVALID', kind: 'usage' });
    }
    await assert.rejects(codec.encode('', 1), { code: 'ERR_COOKIE_NAME_INVALID', kind: 'usage' });
    await assert.rejects(codec.decode(undefined as unknown as string, 'x'), { code: 'ERR_COOKIE_NAME_INVALID', kind: 'usage' });
    await expectCode(codec.decode('session', undefined as unknown as string), 'ERR_COOKIE_MALFORMED');
  });

  test(`${mode}: encodeJson makes the same kind of value as encode, from JSON text the caller already holds`, async () => {
    const { codec } = await setup(mode);
    const data = { userId: 'u1', n: [1, 2, { deep: null }] };
    const out = await codec.decode('session', await codec.encodeJson('session', JSON.stringify(data), { maxAge: 60 }));
    assert.deepEqual(out.data, data);
    assert.equal(out.expiresAt - out.issuedAt, 60_000);
    await assert.rejects(codec.encodeJson('session', undefined as unknown as string), { code: 'ERR_DATA_INVALID', kind: 'usage' });
    await assert.rejects(codec.encodeJson('', '1'), { code: 'ERR_COOKIE_NAME_INVALID', kind: 'usage' });
    // Text that is not JSON is the caller's bug: it seals, but never opens as data.
    await expectCode(codec.decode('session', await codec.encodeJson('session', '{not json')), 'ERR_COOKIE_MALFORMED');
  });

  test(`${mode}: validates its options at construction`, async () => {
    const { keyring } = await setup(mode);
    const bad: unknown[] = [
      undefined,
      { keyring: {} },
      { keyring, mode: 'plain' },
      { keyring, maxAge: 0 },
      { keyring, maxAge: 400 * 86_400 + 1 },
      { keyring, maxAge: '60' },
      { keyring, clockSkew: 301 },
      { keyring, clockSkew: -1 },
      { keyring, now: 5 },
    ];
    for (const options of bad) assert.throws(() => new CookieCodec(options as CookieCodecOptions), { code: 'ERR_OPTIONS_INVALID', kind: 'usage' });
    const defaults = new CookieCodec({ keyring });
    assert.deepEqual([defaults.mode, defaults.maxAge, defaults.clockSkew], ['sealed', 1_209_600, 30]);
    for (const t of [Number.NaN, -1, 1e14]) {
      const broken = new CookieCodec({ keyring, mode, now: () => t });
      await assert.rejects(broken.encode('s', 1), { code: 'ERR_OPTIONS_INVALID' });
    }
  });

  test(`${mode}: 64 encodes and decodes in flight at once each keep their own data`, async () => {
    const { codec } = await setup(mode);
    const values = await Promise.all(Array.from({ length: 64 }, (_, i) => codec.encode(`c${i % 3}`, { i, pad: 'p'.repeat(i * 7) })));
    const outs = await Promise.all(values.map((v, i) => codec.decode(`c${i % 3}`, v)));
    outs.forEach((out, i) => assert.deepEqual(out.data, { i, pad: 'p'.repeat(i * 7) }));
    assert.equal(new Set(values).size, 64);
  });

  test(`${mode}: property: any JSON value round-trips (seed ${seed})`, async () => {
    const { codec } = await setup(mode);
    await fuzzAsync(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const out = await codec.decode('session', await codec.encode('session', value));
        assert.deepEqual(out.data, JSON.parse(JSON.stringify(value)));
      }),
      150,
    );
  });

  test(`${mode}: property: random mutations never decode (seed ${seed})`, async () => {
    const { codec } = await setup(mode);
    const value = await codec.encode('session', data);
    const alphabet = [...B64, '.', '=', '+', '/', ' ', '%'];
    const mutation = fc.array(
      fc.record({ at: fc.nat({ max: value.length }), kind: fc.constantFrom('replace', 'insert', 'delete'), ch: fc.constantFrom(...alphabet) }),
      { minLength: 1, maxLength: 4 },
    );
    await fuzzAsync(
      fc.asyncProperty(mutation, async (edits) => {
        let v = value;
        for (const e of edits) {
          const at = Math.min(e.at, v.length);
          v = e.kind === 'insert' ? v.slice(0, at) + e.ch + v.slice(at) : e.kind === 'delete' ? v.slice(0, at) + v.slice(at + 1) : v.slice(0, at) + e.ch + v.slice(at + 1);
        }
        fc.pre(v !== value);
        const err = await rejection(codec.decode('session', v));
        assert.equal(err.kind, 'decode');
      }),
      300,
    );
  });

  test(`${mode}: a bit flipped anywhere in the decoded binary parts is rejected as tampering`, async () => {
    const { codec } = await setup(mode);
    const split = (await codec.encode('session', data)).split('.');
    for (let p = 4; p < parts; p++) {
      const bytes = Buffer.from(split[p]!, 'base64url');
      for (let bit = 0; bit < bytes.length * 8; bit += 3) {
        const flipped = Uint8Array.from(bytes);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const forged = split.map((x, k) => (k === p ? encodeBase64url(flipped) : x)).join('.');
        await expectCode(codec.decode('session', forged), 'ERR_COOKIE_TAMPERED');
      }
    }
  });

  // docs/errors.md: internal errors keep the platform error as `cause` for the logs.
  const [open, make] = mode === 'sealed' ? (['decrypt', 'encrypt'] as const) : (['verify', 'sign'] as const);
  test(`${mode}: a failing platform surfaces as ERR_CRYPTO (internal) naming the operation and keeping the platform error as cause`, async (t) => {
    const { codec } = await setup(mode);
    const small = { userId: 'u1' };
    const value = await codec.encode('session', small);
    const broke = new TypeError('platform broke');
    t.mock.method(crypto.subtle, open, () => Promise.reject(broke));
    const err = await expectCode(codec.decode('session', value), 'ERR_CRYPTO');
    assert.equal(err.message, `Web Crypto failed to ${open}`);
    assert.equal(err.cause, broke);
    t.mock.method(crypto.subtle, make, () => Promise.reject(broke));
    await assert.rejects(codec.encode('session', small), { code: 'ERR_CRYPTO', kind: 'internal', message: `Web Crypto failed to ${make}`, cause: broke });
  });
}

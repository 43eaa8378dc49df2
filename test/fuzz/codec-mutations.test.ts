// Fuzzing codec decode in both modes: random strings, random well-shaped envelopes, and mutations
// of valid values (single- and multi-character edits including multi-byte characters, truncations,
// splices of two valid values at any cut, part-by-part mixes, byte edits inside the binary parts).
// What must hold: decode either rejects with a decode-kind SessionError, or the input is one of
// the valid values exactly and decodes to that value's own data. Nothing else is ever accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CookieCodec, type CodecMode } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { SessionError } from '../../src/errors.js';
import { decodeBase64url, encodeBase64url } from '../../src/bytes/base64url.js';
import { setup, SECRET_A, SECRET_B, T0 } from '../codec/codec-suite.js';
import { fuzzAsync, seed } from './seed.js';

const NAME = 'session';

/** Valid values for NAME (accepted, each with its data) and values that are valid only elsewhere. */
async function fixtures(mode: CodecMode) {
  const { codec } = await setup(mode);
  const oldFirst = new CookieCodec({ keyring: await Keyring.create([{ id: 'k-old', secret: SECRET_B }, { id: 'k-new', secret: SECRET_A }]), mode, maxAge: 3600, now: () => T0 });
  const otherMode = new CookieCodec({ keyring: await Keyring.create([{ id: 'k-new', secret: SECRET_A }]), mode: mode === 'sealed' ? 'signed' : 'sealed', maxAge: 3600, now: () => T0 });
  const datas = [{ user: 'alice', admin: false }, { user: 'bob', admin: true, pad: 'x'.repeat(40) }, 'é☃😀', [1, 2, 3]];
  const valid = new Map<string, unknown>();
  for (const [i, data] of datas.entries()) valid.set(await (i % 2 === 0 ? codec : oldFirst).encode(NAME, data), data);
  valid.set(await codec.encode(NAME, datas[0], { maxAge: 60 }), datas[0]); // same data, other expiry
  const foreign = [
    await codec.encode('other', datas[0]), // cut from another cookie name
    await otherMode.encode(NAME, datas[0]), // the other mode
  ];
  return { codec, valid, values: [...valid.keys()], all: [...valid.keys(), ...foreign] };
}

/** Decodes and checks the invariant; returns whether it was accepted. */
async function check(codec: CookieCodec, valid: Map<string, unknown>, input: string): Promise<boolean> {
  let out: Awaited<ReturnType<CookieCodec['decode']>>;
  try {
    out = await codec.decode(NAME, input);
  } catch (err) {
    assert.ok(err instanceof SessionError, `not a SessionError: ${String(err)}`);
    assert.equal(err.kind, 'decode', `${err.code} for ${JSON.stringify(input)}`);
    return false;
  }
  assert.ok(valid.has(input), `accepted a value that was never issued: ${JSON.stringify(input)}`);
  assert.deepEqual(out.data, valid.get(input));
  return true;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Characters for edits: base64url (most likely to survive the shape checks), separators, and
// multi-byte characters (é is 2 UTF-8 bytes, ☃ 3, 😀 a surrogate pair), NUL and a lone surrogate.
const editChar = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...B64) }, { weight: 2, arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '%', ';', ',') }, { weight: 1, arbitrary: fc.constantFrom('é', '☃', '😀', '\u0000', '\ud800', '１') });
const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), text: fc.string({ unit: editChar, minLength: 1, maxLength: 3 }) });

function applyEdits(value: string, edits: { at: number; kind: string; text: string }[]): string {
  let v = value;
  for (const e of edits) {
    const at = e.at % (v.length + 1);
    if (e.kind === 'insert') v = v.slice(0, at) + e.text + v.slice(at);
    else if (e.kind === 'delete') v = v.slice(0, at) + v.slice(at + e.text.length);
    else v = v.slice(0, at) + e.text + v.slice(at + e.text.length);
  }
  return v;
}

for (const mode of ['sealed', 'signed'] as const) {
  test(`${mode}: random strings and random well-shaped envelopes never decode (seed ${seed})`, async () => {
    const { codec, valid } = await fixtures(mode);
    const tag = mode === 'sealed' ? '1s' : '1m';
    const b64 = fc.string({ unit: fc.constantFrom(...B64), maxLength: 60 });
    const envelope = fc
      .tuple(fc.constantFrom(tag, '1s', '1m', '2s', ''), fc.constantFrom('k-new', 'k-old', 'k', ''), fc.integer({ min: 0, max: 2e10 }), fc.integer({ min: -5, max: 4000 }), fc.array(b64, { minLength: 1, maxLength: 4 }))
      .map(([t, k, iat, ttl, rest]) => [t, k, String(iat), String(iat + ttl), ...rest].join('.'));
    await fuzzAsync(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), envelope, fc.string({ unit: editChar, maxLength: 300 })), async (input) => {
        assert.equal(await check(codec, valid, input), valid.has(input));
      }),
      200,
    );
  });

  test(`${mode}: edits of a valid value (one or several, multi-byte characters included) are never accepted (seed ${seed})`, async () => {
    const { codec, valid, values } = await fixtures(mode);
    await fuzzAsync(
      fc.asyncProperty(fc.constantFrom(...values), fc.array(edit, { minLength: 1, maxLength: 4 }), async (value, edits) => {
        const mutated = applyEdits(value, edits);
        const accepted = await check(codec, valid, mutated);
        assert.equal(accepted, mutated === value || valid.has(mutated));
      }),
      400,
    );
  });

  test(`${mode}: truncations and splices of two valid values accept only an original (seed ${seed})`, async () => {
    const { codec, valid, all } = await fixtures(mode);
    await fuzzAsync(
      fc.asyncProperty(fc.constantFrom(...all), fc.constantFrom(...all), fc.nat(), fc.nat(), fc.boolean(), async (a, b, i, j, truncate) => {
        const input = truncate ? a.slice(0, i % a.length) : a.slice(0, i % (a.length + 1)) + b.slice(j % (b.length + 1));
        await check(codec, valid, input);
      }),
      400,
    );
  });

  test(`${mode}: values assembled part by part from different valid values are never accepted (seed ${seed})`, async () => {
    const { codec, valid, all } = await fixtures(mode);
    const split = all.map((v) => v.split('.'));
    const width = Math.max(...split.map((p) => p.length));
    await fuzzAsync(
      fc.asyncProperty(fc.array(fc.nat(split.length - 1), { minLength: width, maxLength: width }), fc.nat(width - 1), async (sources, cut) => {
        const input = split[sources[0]!]!.map((_, k) => split[sources[k]!]![k] ?? '').slice(0, Math.max(1, width - (cut % 2))).join('.');
        await check(codec, valid, input);
      }),
      300,
    );
  });

  test(`${mode}: byte edits inside the decoded binary parts, re-encoded canonically, are rejected (seed ${seed})`, async () => {
    const { codec, valid, values } = await fixtures(mode);
    await fuzzAsync(
      fc.asyncProperty(fc.constantFrom(...values), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), fc.integer({ min: -2, max: 2 }), async (value, partPick, flips, resize) => {
        const parts = value.split('.');
        const p = 4 + (partPick % (parts.length - 4));
        const bytes = Uint8Array.from(decodeBase64url(parts[p]!)!);
        for (const [at, x] of flips) if (bytes.length > 0) bytes[at % bytes.length]! ^= x;
        const resized = resize < 0 ? bytes.slice(0, Math.max(0, bytes.length + resize)) : Uint8Array.from([...bytes, ...new Uint8Array(resize)]);
        const forged = parts.map((x, k) => (k === p ? encodeBase64url(resized) : x)).join('.');
        assert.equal(await check(codec, valid, forged), false, `accepted ${forged}`);
      }),
      300,
    );
  });
}

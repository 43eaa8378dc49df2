// traceDecode against CookieCodec.decode: the same answer on every input, in both modes, and
// the right step fails for each kind of damage a learner makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CookieCodec, type CodecMode } from '../../src/codec/cookie-codec.js';
import { traceDecode, TRACE_STEPS, type DecodeTrace } from '../../src/codec/trace.js';
import { Keyring } from '../../src/keys/keyring.js';
import { SessionError } from '../../src/errors.js';
import { fuzzAsync, seed } from '../fuzz/seed.js';
import { setup, T0, SECRET_A, SECRET_B } from './codec-suite.js';

const DATA = { userId: 'u1', visits: 3 };
const MODES: CodecMode[] = ['sealed', 'signed'];

/** decode's answer in the trace's terms. */
async function decodeOutcome(codec: CookieCodec, name: string, value: string): Promise<DecodeTrace['outcome']> {
  try {
    return { ok: true, decoded: await codec.decode(name, value) };
  } catch (err) {
    if (!SessionError.isDecode(err)) throw err;
    return { ok: false, code: err.code as never, detail: err.detail ?? '' };
  }
}

/** The shape every trace has: steps numbered 1.. in order, all passing but perhaps the last. */
function checkShape(trace: DecodeTrace): void {
  trace.steps.forEach((step, i) => {
    assert.equal(step.number, i + 1);
    assert.equal(step.check, TRACE_STEPS[i]!.check);
    if (i < trace.steps.length - 1) assert.equal(step.ok, true, `step ${step.number} failed but was not the last`);
  });
  const last = trace.steps.at(-1)!;
  if (trace.outcome.ok) {
    assert.equal(trace.steps.length, TRACE_STEPS.length);
    assert.equal(last.ok, true);
  } else {
    assert.equal(last.ok, false);
    assert.equal(last.code, trace.outcome.code);
    assert.equal(last.detail, trace.outcome.detail);
  }
}

const flipAt = (value: string, at: number, ch: string): string => value.slice(0, at) + ch + value.slice(at + 1);

for (const mode of MODES) {
  test(`${mode}: property: the trace and decode give the same outcome on valid, tampered, truncated, renamed, rekeyed, other-mode, expired and garbage values (seed ${seed})`, async () => {
    const { clock, codec } = await setup(mode);
    const now = (): number => clock.now;
    // A ring whose key "k-new" has other key material, and one whose primary is unknown to `codec`.
    const other = new CookieCodec({ keyring: await Keyring.create([{ id: 'k-new', secret: new Uint8Array(32).fill(7) }]), mode, maxAge: 3600, now });
    const stranger = new CookieCodec({ keyring: await Keyring.create([{ id: 'k-gone', secret: SECRET_A }]), mode, maxAge: 3600, now });
    // Made with setup's second key, k-old, as primary: `codec` opens it, as stale.
    const oldKey = new CookieCodec({ keyring: await Keyring.create([{ id: 'k-old', secret: SECRET_B }]), mode, maxAge: 3600, now });
    const otherMode = new CookieCodec({ keyring: codec.keyring, mode: mode === 'sealed' ? 'signed' : 'sealed', maxAge: 3600, now });
    // Claims 2 hours where `codec` allows 1: the codec's maxAge wins.
    const longLife = new CookieCodec({ keyring: codec.keyring, mode, maxAge: 7200, now });
    const scenario = fc.record({
      kind: fc.constantFrom('valid', 'tamper', 'truncate', 'rename', 'other-key', 'unknown-key', 'stale', 'not-json', 'other-mode', 'long-life', 'garbage', 'huge'),
      at: fc.nat({ max: 400 }),
      ch: fc.oneof(fc.constantFrom(...'AB09az-_.=+/ %'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      garbage: fc.string({ maxLength: 80 }),
      // Decode time from before the skew allows to after maxAge: not-yet-valid, valid and expired;
      // half of them near issue time, where the skew decides.
      offset: fc.oneof(fc.integer({ min: -120_000, max: 120_000 }), fc.integer({ min: -120_000, max: 7_300_000 })),
    });
    const seen = new Set<string>();
    await fuzzAsync(
      fc.asyncProperty(scenario, async (s) => {
        clock.now = T0;
        let name = 'session';
        let value: string;
        if (s.kind === 'other-key') value = await other.encode(name, DATA);
        else if (s.kind === 'unknown-key') value = await stranger.encode(name, DATA);
        else if (s.kind === 'stale') value = await oldKey.encode(name, DATA);
        else if (s.kind === 'not-json') value = await codec.encodeJson(name, '{"a":');
        else if (s.kind === 'other-mode') value = await otherMode.encode(name, DATA);
        else if (s.kind === 'long-life') value = await longLife.encode(name, DATA);
        else if (s.kind === 'garbage') value = s.garbage;
        else if (s.kind === 'huge') value = `${await codec.encode(name, DATA)}${'A'.repeat(4096)}`;
        else value = await codec.encode(name, DATA);
        if (s.kind === 'tamper') value = flipAt(value, s.at % value.length, s.ch);
        if (s.kind === 'truncate') value = value.slice(0, s.at % value.length);
        if (s.kind === 'rename') name = 'other';
        clock.now = T0 + s.offset;
        const trace = await traceDecode(codec, name, value, { now });
        assert.deepEqual(trace.outcome, await decodeOutcome(codec, name, value));
        checkShape(trace);
        seen.add(trace.outcome.ok ? (trace.outcome.decoded.stale ? 'stale' : 'valid') : trace.outcome.code);
      }),
      400,
    );
    // The inputs reached every outcome, so the agreement above was tested on each.
    const outcomes = ['valid', 'stale', 'ERR_COOKIE_TOO_LARGE', 'ERR_COOKIE_TAMPERED', 'ERR_COOKIE_VERSION', 'ERR_COOKIE_KEY_UNKNOWN', 'ERR_COOKIE_EXPIRED', 'ERR_COOKIE_NOT_YET_VALID', 'ERR_COOKIE_MALFORMED'];
    assert.deepEqual([...seen].sort(), outcomes.sort());
  });

  test(`${mode}: a valid value passes all nine steps and the trace returns what decode returns`, async () => {
    const { clock, codec } = await setup(mode);
    const value = await codec.encode('session', DATA);
    const trace = await traceDecode(codec, 'session', value, { now: () => clock.now });
    assert.deepEqual(trace.steps.map((s) => [s.number, s.ok]), TRACE_STEPS.map((s) => [s.number, true]));
    assert.deepEqual(trace.outcome, { ok: true, decoded: await codec.decode('session', value) });
  });

  test(`${mode}: each step names the characters it read: the tag, the times, the key id, the whole value`, async () => {
    const { clock, codec } = await setup(mode);
    const value = await codec.encode('session', DATA);
    const parts = value.split('.');
    const at = (i: number): { start: number; end: number } => {
      const start = parts.slice(0, i).join('.').length + (i === 0 ? 0 : 1);
      return { start, end: start + parts[i]!.length };
    };
    const { steps } = await traceDecode(codec, 'session', value, { now: () => clock.now });
    assert.deepEqual(steps[1]!.ranges, [at(0)]);
    assert.deepEqual(steps[3]!.ranges, [at(2), at(3)]);
    assert.deepEqual(steps[4]!.ranges, mode === 'sealed' ? [at(4), at(5), at(6)] : [at(4), at(5)]);
    assert.deepEqual(steps[5]!.ranges, [at(1)]);
    assert.deepEqual(steps[7]!.ranges, [{ start: 0, end: value.length }]);
    assert.deepEqual(steps[8]!.ranges, [mode === 'sealed' ? at(5) : at(4)]);
  });

  test(`${mode}: a byte flipped in the tag, the expiry or the payload fails at step 8, authentication`, async () => {
    const { clock, codec } = await setup(mode);
    const value = await codec.encode('session', DATA);
    const parts = value.split('.');
    const tagPart = parts.length - 1;
    const payloadPart = mode === 'sealed' ? 5 : 4;
    for (const [what, i, edit] of [
      ['tag', tagPart, (t: string) => (t[0] === 'A' ? 'B' : 'A') + t.slice(1)],
      ['expiry', 3, (t: string) => t.slice(0, -1) + String((Number(t.at(-1)) + 1) % 10)],
      ['payload', payloadPart, (t: string) => (t[0] === 'A' ? 'B' : 'A') + t.slice(1)],
    ] as const) {
      const changed = parts.map((p, j) => (j === i ? edit(p) : p)).join('.');
      const trace = await traceDecode(codec, 'session', changed, { now: () => clock.now });
      const last = trace.steps.at(-1)!;
      assert.equal(last.number, 8, `${what}: failed at step ${last.number} (${last.detail})`);
      assert.equal(last.code, 'ERR_COOKIE_TAMPERED');
    }
  });

  test(`${mode}: another cookie name fails at authentication, another version at the tag, an unknown key at the key id, an old value at the expiry`, async () => {
    const { clock, codec } = await setup(mode);
    const now = (): number => clock.now;
    const value = await codec.encode('session', DATA);
    const lastOf = async (name: string, v: string): Promise<[number, string | undefined]> => {
      const step = (await traceDecode(codec, name, v, { now })).steps.at(-1)!;
      return [step.number, step.code];
    };
    assert.deepEqual(await lastOf('other', value), [8, 'ERR_COOKIE_TAMPERED']);
    assert.deepEqual(await lastOf('session', `2${value.slice(1)}`), [2, 'ERR_COOKIE_VERSION']);
    assert.deepEqual(await lastOf('session', value.replace('.k-new.', '.k-gone.')), [6, 'ERR_COOKIE_KEY_UNKNOWN']);
    assert.deepEqual(await lastOf('session', value.slice(0, -5)), [5, 'ERR_COOKIE_TAMPERED']);
    clock.now = T0 + 3_600_000;
    assert.deepEqual(await lastOf('session', value), [7, 'ERR_COOKIE_EXPIRED']);
  });
}

test('a bad cookie name is a usage error, as it is for decode', async () => {
  const { codec } = await setup('sealed');
  await assert.rejects(traceDecode(codec, '', 'x'), (err: unknown) => err instanceof SessionError && err.code === 'ERR_COOKIE_NAME_INVALID' && err.kind === 'usage');
});

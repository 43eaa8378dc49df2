/**
 * `traceDecode`: `CookieCodec.decode`'s checks as numbered steps, each with what it checked,
 * the characters of the value it read, and whether it passed, stopping at the first failure as
 * decode does. It is for teaching (the app's lab, `inspect --steps`), not for serving: decode
 * stays the one fast path and is not touched; this is a second copy of its steps, in its order,
 * with the same helpers, and test/codec/trace.test.ts holds the two to the same answer on every
 * kind of input. A change to decode must be made here too; that test fails until it is.
 *
 * The numbers here follow the order the checks run in. decode's comment numbers them by kind
 * (it reads the version, its step 4, first): trace 2 is its 4, trace 3-4 its 2, trace 5 its 3,
 * trace 6 its 5, trace 7 its 7 on the claimed times, trace 8 its 6, trace 9 its 8.
 * @module
 */
import { checkName, type CodecDecodeCode } from './failures.js';
import { utf8Decode } from '../bytes/utf8.js';
import { tempBytes, tempAscii } from '../bytes/arena.js';
import { decodeBase64urlCodesInto, base64urlDecodedLength } from '../bytes/base64url.js';
import { KEY_ID_PATTERN } from '../keys/key.js';
import { EPOCH_SECONDS } from '../keys/derive.js';
import { open } from './sealed.js';
import { verify } from './signed.js';
import { SEALED_TAG, SIGNED_TAG, IV_BYTES, TAG_BYTES, MAC_BYTES, IV_CHARS, TAG_CHARS, MAC_CHARS, parseTimeAt, looksLikeTag, boundContext } from './envelope.js';
import type { CookieCodec, DecodedValue } from './cookie-codec.js';

/** The checks, in the order they run. */
export type TraceCheck = 'size' | 'version' | 'parts' | 'times-shape' | 'encoding' | 'key' | 'times' | 'authenticate' | 'payload';

/**
 * Every step of the decode, numbered from 1, with a title and what it checks: what a trace
 * that stopped early did not reach.
 *
 * @example
 * ```ts
 * TRACE_STEPS.map((s) => `${s.number}. ${s.title}`); // ['1. size', '2. version tag', ...]
 * ```
 */
export const TRACE_STEPS: readonly { number: number; check: TraceCheck; title: string; checks: string }[] = [
  { number: 1, check: 'size', title: 'size', checks: 'name + value fit in the size limit (one cookie: 4096 bytes), before any other work' },
  { number: 2, check: 'version', title: 'version tag', checks: "the first part is this codec's tag: 1s (sealed) or 1m (signed)" },
  { number: 3, check: 'parts', title: 'parts', checks: "the value has the layout's number of '.'-separated parts (7 sealed, 6 signed)" },
  { number: 4, check: 'times-shape', title: 'time format', checks: 'issued-at and expires-at are canonical decimal seconds (one spelling each)' },
  { number: 5, check: 'encoding', title: 'base64url', checks: 'the binary parts are canonical base64url of the exact sizes (IV 12, tag 16, MAC 32 bytes)' },
  { number: 6, check: 'key', title: 'key id', checks: 'the key id names a key of the keyring (looked up, never tried one by one)' },
  { number: 7, check: 'times', title: 'expiry', checks: 'now is before the expiry and not before issued-at (less the clock skew), on the claimed times' },
  { number: 8, check: 'authenticate', title: 'tag / MAC', checks: 'the GCM tag or the HMAC matches the header, the payload and the cookie name, by Web Crypto' },
  { number: 9, check: 'payload', title: 'payload', checks: 'the authentic payload is UTF-8 JSON' },
];

/** A range of the value, `[start, end)` in characters (bytes, for the ASCII a valid value is). */
export interface TraceRange {
  start: number;
  end: number;
}

/** One step that ran. */
export interface TraceStep {
  number: number;
  check: TraceCheck;
  title: string;
  /** What the step checks, in a sentence. */
  checks: string;
  /** The parts of the value the step read; the authenticate step also reads the cookie name. */
  ranges: TraceRange[];
  ok: boolean;
  /** What it found when it passed; when it failed, the `detail` decode's error carries. */
  detail: string;
  /** The failure's code: the one decode throws. */
  code?: CodecDecodeCode;
}

/**
 * What {@link traceDecode} returns: the steps that ran, and the decode's outcome.
 *
 * @example
 * ```ts
 * const trace = await traceDecode(codec, 'session', value);
 * trace.outcome.ok ? trace.outcome.decoded.keyId : trace.outcome.code;
 * ```
 */
export interface DecodeTrace {
  mode: 'sealed' | 'signed';
  name: string;
  steps: TraceStep[];
  outcome: { ok: true; decoded: DecodedValue } | { ok: false; code: CodecDecodeCode; detail: string };
}

/** Options for {@link traceDecode}. */
export interface TraceOptions {
  /** The clock for the expiry step, ms; pass the one the codec was made with. Default `Date.now`. */
  now?: () => number;
}

// Thrown inside traceDecode to stop at a failed step; never escapes it.
class Stop {}

/**
 * Runs `codec.decode(name, value)`'s checks one by one and records each. Never throws for a
 * bad value (the failure is the last step); like decode it throws a usage error for a bad
 * name and an internal one when Web Crypto itself fails.
 *
 * @example
 * ```ts
 * const trace = await traceDecode(codec, '__Host-session', value, { now: Date.now });
 * for (const s of trace.steps) console.log(`${s.number}. ${s.title}: ${s.ok ? 'pass' : 'FAIL'} (${s.detail})`);
 * ```
 */
export async function traceDecode(codec: CookieCodec, name: string, value: string, options: TraceOptions = {}): Promise<DecodeTrace> {
  checkName(name);
  const trace: DecodeTrace = { mode: codec.mode, name, steps: [], outcome: { ok: false, code: 'ERR_COOKIE_MALFORMED', detail: '' } };
  const pass = (n: number, ranges: TraceRange[], detail: string): void => void trace.steps.push({ ...TRACE_STEPS[n - 1]!, ranges, ok: true, detail });
  const stop = (n: number, ranges: TraceRange[], code: CodecDecodeCode, detail: string): never => {
    trace.steps.push({ ...TRACE_STEPS[n - 1]!, ranges, ok: false, detail, code });
    trace.outcome = { ok: false, code, detail };
    throw new Stop();
  };
  try {
    trace.outcome = { ok: true, decoded: await steps(codec, name, value, options.now ?? Date.now, pass, stop) };
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return trace;
}

type Pass = (n: number, ranges: TraceRange[], detail: string) => void;
type Halt = (n: number, ranges: TraceRange[], code: CodecDecodeCode, detail: string) => never;

async function steps(codec: CookieCodec, name: string, value: string, now: () => number, pass: Pass, stop: Halt): Promise<DecodedValue> {
  const sealed = codec.mode === 'sealed';
  const tag = sealed ? SEALED_TAG : SIGNED_TAG;
  const partCount = sealed ? 7 : 6;
  if (typeof value !== 'string') return stop(1, [], 'ERR_COOKIE_MALFORMED', 'value is not a string');
  const length = value.length;
  const all = [{ start: 0, end: length }];
  // 1. size
  if (name.length + length > codec.maxBytes) stop(1, all, 'ERR_COOKIE_TOO_LARGE', `${name.length + length} bytes`);
  pass(1, all, `${name.length} + ${length} = ${name.length + length} bytes, at most ${codec.maxBytes}`);
  const ends: number[] = [];
  for (let at = value.indexOf('.'); at !== -1 && ends.length < 7; at = value.indexOf('.', at + 1)) ends.push(at);
  ends.push(length);
  // 2. version tag
  const tagRange = [{ start: 0, end: ends[0]! }];
  if (ends[0] !== 2 || !value.startsWith(tag)) {
    const found = value.slice(0, ends[0]);
    if (looksLikeTag(found)) stop(2, tagRange, 'ERR_COOKIE_VERSION', `tag "${found}" is not accepted by a ${codec.mode} v1 codec`);
    stop(2, tagRange, 'ERR_COOKIE_TAMPERED', 'no version tag');
  }
  pass(2, tagRange, `"${tag}": format 1, ${codec.mode}`);
  // 3. parts
  if (ends.length !== partCount) stop(3, all, 'ERR_COOKIE_TAMPERED', `expected ${partCount} parts`);
  pass(3, all, `${partCount} parts`);
  // 4. time format
  const timeRanges = [{ start: ends[1]! + 1, end: ends[2]! }, { start: ends[2]! + 1, end: ends[3]! }];
  const issuedAt = parseTimeAt(value, ends[1]! + 1, ends[2]!);
  const expires = parseTimeAt(value, ends[2]! + 1, ends[3]!);
  if (issuedAt < 0 || expires < 0) stop(4, timeRanges, 'ERR_COOKIE_TAMPERED', 'times are not canonical decimal seconds');
  pass(4, timeRanges, `issued-at ${issuedAt}, expires-at ${expires}`);
  // 5. base64url
  const p4 = ends[3]! + 1;
  const p5 = ends[4]! + 1;
  let bytes: Uint8Array<ArrayBuffer>;
  let signedEnd = 0;
  if (sealed) {
    const p6 = ends[5]! + 1;
    const binary = [{ start: p4, end: ends[4]! }, { start: p5, end: ends[5]! }, { start: p6, end: length }];
    const ctLength = base64urlDecodedLength(ends[5]! - p5);
    if (ends[4]! - p4 !== IV_CHARS || length - p6 !== TAG_CHARS || ctLength < 1) {
      stop(5, binary, 'ERR_COOKIE_TAMPERED', `iv must be ${IV_BYTES} bytes, tag ${TAG_BYTES} bytes, ciphertext non-empty`);
    }
    bytes = tempBytes(IV_BYTES + ctLength + TAG_BYTES);
    const codes = tempAscii(value, p4, length);
    if (codes === null || !decodeBase64urlCodesInto(codes, bytes, 0, 0, ends[4]! - p4) || !decodeBase64urlCodesInto(codes, bytes, IV_BYTES, p5 - p4, ends[5]! - p4) || !decodeBase64urlCodesInto(codes, bytes, IV_BYTES + ctLength, p6 - p4, length - p4)) {
      stop(5, binary, 'ERR_COOKIE_TAMPERED', 'iv, ciphertext or tag is not canonical base64url');
    }
    pass(5, binary, `iv ${IV_BYTES} bytes, ciphertext ${ctLength} bytes, tag ${TAG_BYTES} bytes`);
  } else {
    const binary = [{ start: p4, end: ends[4]! }, { start: p5, end: length }];
    const payloadLength = base64urlDecodedLength(ends[4]! - p4);
    if (length - p5 !== MAC_CHARS || payloadLength < 1) stop(5, binary, 'ERR_COOKIE_TAMPERED', `mac must be ${MAC_BYTES} bytes, payload non-empty`);
    bytes = tempBytes(payloadLength + MAC_BYTES);
    const codes = tempAscii(value, p4, length);
    if (codes === null || !decodeBase64urlCodesInto(codes, bytes, 0, 0, ends[4]! - p4) || !decodeBase64urlCodesInto(codes, bytes, payloadLength, p5 - p4, length - p4)) {
      stop(5, binary, 'ERR_COOKIE_TAMPERED', 'payload or mac is not canonical base64url');
    }
    pass(5, binary, `payload ${payloadLength} bytes, mac ${MAC_BYTES} bytes`);
    signedEnd = ends[4]!;
  }
  // 6. key id
  const keyring = codec.keyring;
  const keyRange = [{ start: 3, end: ends[1]! }];
  const keyId = value.slice(3, ends[1]);
  const key = keyring.get(keyId);
  if (key === undefined) {
    if (KEY_ID_PATTERN.test(keyId)) stop(6, keyRange, 'ERR_COOKIE_KEY_UNKNOWN', `key "${keyId}" is not in the keyring`);
    stop(6, keyRange, 'ERR_COOKIE_TAMPERED', 'key id is not [A-Za-z0-9_-]{1,16}');
  }
  pass(6, keyRange, `key "${keyId}" is in the keyring${keyId === keyring.primaryId ? ' (the primary)' : ' (not the primary: stale)'}`);
  // 7. expiry, on the claimed times (as CookieCodec.#checkTimes)
  const nowMs = now();
  if (issuedAt * 1000 > nowMs + codec.clockSkew * 1000) {
    stop(7, timeRanges, 'ERR_COOKIE_NOT_YET_VALID', `issued ${issuedAt * 1000 - nowMs} ms in the future; skew allows ${codec.clockSkew * 1000}`);
  }
  const expiresAt = Math.min(expires, issuedAt + codec.maxAge) * 1000;
  if (nowMs >= expiresAt) stop(7, timeRanges, 'ERR_COOKIE_EXPIRED', `expired ${nowMs - expiresAt} ms ago`);
  pass(7, timeRanges, `${Math.ceil((expiresAt - nowMs) / 1000)} s left (claimed; authenticated at the next step)`);
  // 8. authenticate: the whole value, and the name
  let payload: Uint8Array<ArrayBuffer> | null;
  if (sealed) {
    let aesKey = key!.sealingKey(Math.floor(issuedAt / EPOCH_SECONDS));
    if (aesKey instanceof Promise) aesKey = await aesKey;
    payload = await open(aesKey, bytes.subarray(0, IV_BYTES), bytes.subarray(IV_BYTES), boundContext(value, ends[3]!, name));
  } else {
    const split = bytes.length - MAC_BYTES;
    const ok = await verify(key!.signingKey, bytes.subarray(split), boundContext(value, signedEnd, name));
    payload = ok ? bytes.subarray(0, split) : null;
  }
  if (payload === null) stop(8, all, 'ERR_COOKIE_TAMPERED', 'authentication failed (bit flip, other key material, other cookie name or edited header)');
  pass(8, all, `${sealed ? 'the GCM tag' : 'the MAC'} matches, for cookie name "${name}"`);
  // 9. payload: the ciphertext (sealed) or the payload part (signed) it came from
  const payloadRange = [{ start: p4 + (sealed ? IV_CHARS + 1 : 0), end: sealed ? ends[5]! : ends[4]! }];
  const json = utf8Decode(payload!);
  let data: unknown;
  try {
    if (json === null) throw new Error('payload is not UTF-8');
    data = JSON.parse(json);
  } catch {
    stop(9, payloadRange, 'ERR_COOKIE_MALFORMED', 'authentic payload is not UTF-8 JSON');
  }
  pass(9, payloadRange, `${payload!.length} bytes of JSON`);
  return { data, issuedAt: issuedAt * 1000, expiresAt, keyId, stale: keyId !== keyring.primaryId };
}


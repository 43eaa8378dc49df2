/**
 * `CookieCodec`: JSON data <-> one authenticated cookie value, sealed or signed, with expiry
 * and key rotation. The wire format is described in ./envelope.ts and docs/cookie-format.md.
 * @module
 */
import { SessionError, checkOptionKeys, type OptionKeys } from '../errors.js';
import { MESSAGES, fail, usage, seconds, checkName } from './failures.js';
import { utf8Decode } from '../bytes/utf8.js';
import { tempBytes, tempUtf8, tempAscii } from '../bytes/arena.js';
import { decodeBase64urlCodesInto, base64urlDecodedLength, base64urlLength, encodeBase64url } from '../bytes/base64url.js';
import { Keyring } from '../keys/keyring.js';
import { DEFAULT_MAX_AGE, DEFAULT_CLOCK_SKEW, MAX_CLOCK_SKEW, type CodecMode, type CookieCodecOptions, type EncodeOptions, type DecodedValue } from './codec-options.js';
import { KEY_ID_PATTERN } from '../keys/key.js';
import { EPOCH_SECONDS } from '../keys/derive.js';
import { seal, open } from './sealed.js';
import { sign, verify } from './signed.js';
import {
  SEALED_TAG, SIGNED_TAG, IV_BYTES, TAG_BYTES, MAC_BYTES, MAX_COOKIE_BYTES, MAX_AGE_LIMIT,
  IV_CHARS, TAG_CHARS, MAC_CHARS, formatHeader, parseTimeAt, looksLikeTag, boundContext,
} from './envelope.js';

// The API's types live in ./codec-options.ts; re-exported so importers of the codec find them here.
export type { CodecMode, CookieCodecOptions, EncodeOptions, DecodedValue } from './codec-options.js';

const OPTION_KEYS: OptionKeys<CookieCodecOptions> = { keyring: true, mode: true, maxAge: true, now: true, clockSkew: true, maxBytes: true };
const ENCODE_KEYS: OptionKeys<EncodeOptions> = { maxAge: true };

/**
 * Turns JSON data into a cookie value nobody can forge (signed) or read and forge (sealed),
 * that expires by itself and survives key rotation.
 *
 * @example
 * ```ts
 * const keyring = await Keyring.create([{ id: '2026-11', secret }]);
 * const codec = new CookieCodec({ keyring, mode: 'sealed', maxAge: 3600 });
 * const value = await codec.encode('session', { userId: 'u1' });
 * const { data, expiresAt, stale } = await codec.decode('session', value);
 * ```
 */
export class CookieCodec {
  /** The codec's mode. */
  readonly mode: CodecMode;
  /** The longest lifetime of a value, in seconds. */
  readonly maxAge: number;
  /** Tolerated clock skew for issued-at, in seconds. */
  readonly clockSkew: number;
  /** Largest name + value in bytes. */
  readonly maxBytes: number;
  #keyring: Keyring;
  readonly #now: () => number;
  readonly #tag: string;
  readonly #parts: number;

  constructor(options: CookieCodecOptions) {
    if (typeof options !== 'object' || options === null) throw usage('ERR_OPTIONS_INVALID', 'CookieCodec needs an options object with a keyring');
    checkOptionKeys('CookieCodec', options, OPTION_KEYS);
    this.#keyring = CookieCodec.#checkKeyring(options.keyring);
    const mode = options.mode ?? 'sealed';
    if (mode !== 'sealed' && mode !== 'signed') throw usage('ERR_OPTIONS_INVALID', "mode must be 'sealed' or 'signed'");
    this.mode = mode;
    this.maxAge = seconds(options.maxAge ?? DEFAULT_MAX_AGE, 'maxAge', 1, MAX_AGE_LIMIT);
    this.clockSkew = seconds(options.clockSkew ?? DEFAULT_CLOCK_SKEW, 'clockSkew', 0, MAX_CLOCK_SKEW);
    this.maxBytes = options.maxBytes ?? MAX_COOKIE_BYTES;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 64 || this.maxBytes > 50 * MAX_COOKIE_BYTES) {
      throw usage('ERR_OPTIONS_INVALID', `maxBytes must be an integer from 64 to ${50 * MAX_COOKIE_BYTES}`);
    }
    if (options.now !== undefined && typeof options.now !== 'function') throw usage('ERR_OPTIONS_INVALID', 'now must be a function returning milliseconds');
    this.#now = options.now ?? Date.now;
    this.#tag = mode === 'sealed' ? SEALED_TAG : SIGNED_TAG;
    this.#parts = mode === 'sealed' ? 7 : 6;
    this.#warm();
  }

  // Derive the primary's sealing key for this epoch ahead of the first request, and for the
  // next epoch in its last 5 minutes, so no request waits on HKDF at an epoch boundary.
  #warm(): void {
    if (this.mode !== 'sealed') return;
    const seconds = this.#now() / 1000;
    if (!(seconds >= 0)) return;
    const epoch = Math.floor(seconds / EPOCH_SECONDS);
    this.#keyring.primary.warm(epoch);
    if (seconds + 300 >= (epoch + 1) * EPOCH_SECONDS) this.#keyring.primary.warm(epoch + 1);
  }

  static #checkKeyring(keyring: unknown): Keyring {
    if (!(keyring instanceof Keyring)) {
      // Keyring.create() is async: the likeliest mistake is its promise, passed without await.
      const promise = typeof (keyring as { then?: unknown } | null)?.then === 'function';
      throw usage('ERR_OPTIONS_INVALID', promise ? 'keyring is a Promise: await Keyring.create() before passing its keyring' : 'keyring must be made by Keyring.create()');
    }
    return keyring;
  }

  /**
   * The keyring in use. Assigning a new one (e.g. on SIGHUP after a key rotation) takes effect
   * for the next encode or decode; calls in flight finish with the ring they started with.
   *
   * @example
   * ```ts
   * process.on('SIGHUP', async () => { codec.keyring = await Keyring.create(await loadKeys()); });
   * ```
   */
  get keyring(): Keyring {
    return this.#keyring;
  }

  set keyring(keyring: Keyring) {
    this.#keyring = CookieCodec.#checkKeyring(keyring);
    this.#warm();
  }

  /**
   * Encodes `data` (anything `JSON.stringify` accepts) as the value of cookie `name`, with the
   * primary key. Throws a usage `SessionError`: `ERR_DATA_INVALID` for data JSON cannot hold,
   * `ERR_COOKIE_TOO_LARGE` when name + value would pass 4096 bytes (checked before encrypting).
   *
   * @example
   * ```ts
   * const value = await codec.encode('session', { userId: 'u1' }, { maxAge: 600 });
   * ```
   */
  encode(name: string, data: unknown, options?: EncodeOptions): Promise<string> {
    let json: string | undefined;
    try {
      json = JSON.stringify(data);
    } catch (cause) {
      return Promise.reject(usage('ERR_DATA_INVALID', 'data cannot be serialised as JSON (a cycle or a BigInt?)', cause));
    }
    if (json === undefined) return Promise.reject(usage('ERR_DATA_INVALID', 'data must be a JSON value, not undefined, a function or a symbol'));
    return this.encodeJson(name, json, options);
  }

  /**
   * Like {@link CookieCodec.encode}, for a caller that already holds the data as JSON text (a
   * store that serialized the values anyway, to see whether they changed): it saves one
   * `JSON.stringify`. `json` must be what `JSON.stringify` returned; it is not parsed here, and
   * text that is not JSON makes a value that fails to decode (`ERR_COOKIE_MALFORMED`).
   *
   * @example
   * ```ts
   * const value = await codec.encodeJson('session', '{"userId":"u1"}');
   * ```
   */
  async encodeJson(name: string, json: string, options?: EncodeOptions): Promise<string> {
    checkName(name);
    if (options !== undefined) checkOptionKeys('encode', options, ENCODE_KEYS);
    if (typeof json !== 'string') throw usage('ERR_DATA_INVALID', 'encodeJson takes the JSON text of the data, as JSON.stringify returns it');
    const maxAge = options?.maxAge === undefined ? this.maxAge : seconds(options.maxAge, 'encode maxAge', 1, this.maxAge);
    // Cheap first: base64url makes the value longer than the JSON, so this can never fit.
    if (json.length > this.maxBytes) throw usage('ERR_COOKIE_TOO_LARGE', `cookie "${name}" would hold ${json.length}+ characters of JSON; at most ${this.maxBytes} bytes fit`);
    const now = this.#now();
    // 11 decimal digits of seconds is the wire limit (year 5138); NaN fails the first test.
    if (!(now >= 0 && now < 1e14)) throw usage('ERR_OPTIONS_INVALID', 'now() must return milliseconds since the Unix epoch');
    const issuedAt = Math.floor(now / 1000);
    const key = this.#keyring.primary;
    const header = formatHeader(this.#tag, key.id, issuedAt, issuedAt + maxAge);
    const plaintext = tempUtf8(json);
    const body = this.mode === 'sealed' ? IV_CHARS + 1 + base64urlLength(plaintext.length) + 1 + TAG_CHARS : base64urlLength(plaintext.length) + 1 + MAC_CHARS;
    const size = name.length + header.length + 1 + body;
    if (size > this.maxBytes) throw usage('ERR_COOKIE_TOO_LARGE', `cookie "${name}" would be ${size} bytes; browsers keep at most ${this.maxBytes}`);
    if (this.mode === 'signed') {
      const signedPart = `${header}.${encodeBase64url(plaintext)}`;
      return `${signedPart}.${await sign(key.signingKey, boundContext(signedPart, signedPart.length, name))}`;
    }
    let aesKey = key.sealingKey(Math.floor(issuedAt / EPOCH_SECONDS));
    if (aesKey instanceof Promise) aesKey = await aesKey;
    if (issuedAt % EPOCH_SECONDS >= EPOCH_SECONDS - 300) this.#warm();
    return `${header}.${await seal(aesKey, plaintext, boundContext(header, header.length, name))}`;
  }

  /**
   * Decodes and authenticates a value of cookie `name`. Throws a `SessionError` of kind
   * `decode` for any bad value (treat it as "no session"); see docs/errors.md for the codes.
   *
   * @example
   * ```ts
   * try {
   *   const { data, stale } = await codec.decode('session', value);
   * } catch (err) {
   *   if (!SessionError.isDecode(err)) throw err; // else: start a fresh session
   * }
   * ```
   */
  async decode<T = unknown>(name: string, value: string): Promise<DecodedValue<T>> {
    checkName(name);
    if (typeof value !== 'string') throw fail('ERR_COOKIE_MALFORMED', 'value is not a string');
    // The decode path, cheapest checks first (habit 6):
    // 1. Size: name + value over maxBytes (default 4096, one cookie) is refused before any other work.
    // 2. Shape: the number of '.'-separated parts; canonical decimal times. (The key id's
    //    grammar is judged at step 5: only valid ids are ever in a ring.)
    // 3. Canonical base64url for the binary parts, with exact sizes (12-byte IV, 16-byte tag,
    //    32-byte MAC): a lax decoder would let a value change without changing its meaning.
    // 4. Version: the first part must be this codec's tag (1s sealed, 1m signed). The code
    //    reads it before 2-3, because the tag decides the layout they check; a tag of
    //    another version or mode is ERR_COOKIE_VERSION.
    // 5. Key lookup by id (no trial decryption); unknown id -> ERR_COOKIE_KEY_UNKNOWN. Then
    //    the claimed times get step 7's check already: in sealed mode issued-at picks the key
    //    epoch, so a forged header may only ask for the few epochs within maxAge + clockSkew
    //    (signed mode does the same, so both modes answer alike). An edited time can thus
    //    fail as EXPIRED / NOT_YET_VALID instead of TAMPERED: the header is public anyway.
    // 6. Authenticate with subtle.decrypt / subtle.verify, never `===` on a MAC. The name and
    //    the header are bound in, so a value cut from another cookie or edited fails here.
    // 7. Times, now known to be authentic: now >= expiresAt -> ERR_COOKIE_EXPIRED (no skew);
    //    issued-at > now + clockSkew -> ERR_COOKIE_NOT_YET_VALID.
    // 8. JSON.parse of the authenticated UTF-8 payload (__proto__ keys stay own data properties).
    // Steps 2, 3 and 6 fail with the one code ERR_COOKIE_TAMPERED; `detail` says which.

    // 1.
    const length = value.length;
    if (name.length + length > this.maxBytes) throw fail('ERR_COOKIE_TOO_LARGE', `${name.length + length} bytes`);
    // Where the parts end: positions of the dots, then the end. Found with indexOf and read in
    // place: split() and substrings cost as much as JSON.parse here (measured, Node 20).
    const ends: number[] = [];
    for (let at = value.indexOf('.'); at !== -1 && ends.length < 7; at = value.indexOf('.', at + 1)) ends.push(at);
    ends.push(length);
    // 4. (read first, see above)
    if (ends[0] !== 2 || !value.startsWith(this.#tag)) {
      const tag = value.slice(0, ends[0]);
      if (looksLikeTag(tag)) throw fail('ERR_COOKIE_VERSION', `tag "${tag}" is not accepted by a ${this.mode} v1 codec`);
      throw fail('ERR_COOKIE_TAMPERED', 'no version tag');
    }
    // 2.
    if (ends.length !== this.#parts) throw fail('ERR_COOKIE_TAMPERED', `expected ${this.#parts} parts`);
    const issuedAt = parseTimeAt(value, ends[1]! + 1, ends[2]!);
    const expires = parseTimeAt(value, ends[2]! + 1, ends[3]!);
    if (issuedAt < 0 || expires < 0) throw fail('ERR_COOKIE_TAMPERED', 'times are not canonical decimal seconds');
    // 3.
    const p4 = ends[3]! + 1;
    const p5 = ends[4]! + 1;
    let bytes: Uint8Array<ArrayBuffer>;
    let signedEnd = 0;
    if (this.mode === 'sealed') {
      // iv, ciphertext and tag decode into one buffer: iv | ciphertext | tag.
      const p6 = ends[5]! + 1;
      const ctLength = base64urlDecodedLength(ends[5]! - p5);
      if (ends[4]! - p4 !== IV_CHARS || length - p6 !== TAG_CHARS || ctLength < 1) {
        throw fail('ERR_COOKIE_TAMPERED', `iv must be ${IV_BYTES} bytes, tag ${TAG_BYTES} bytes, ciphertext non-empty`);
      }
      bytes = tempBytes(IV_BYTES + ctLength + TAG_BYTES);
      const codes = tempAscii(value, p4, length); // positions below are relative to p4
      if (codes === null || !decodeBase64urlCodesInto(codes, bytes, 0, 0, ends[4]! - p4) || !decodeBase64urlCodesInto(codes, bytes, IV_BYTES, p5 - p4, ends[5]! - p4) || !decodeBase64urlCodesInto(codes, bytes, IV_BYTES + ctLength, p6 - p4, length - p4)) {
        throw fail('ERR_COOKIE_TAMPERED', 'iv, ciphertext or tag is not canonical base64url');
      }
    } else {
      // payload | mac
      const payloadLength = base64urlDecodedLength(ends[4]! - p4);
      if (length - p5 !== MAC_CHARS || payloadLength < 1) throw fail('ERR_COOKIE_TAMPERED', `mac must be ${MAC_BYTES} bytes, payload non-empty`);
      bytes = tempBytes(payloadLength + MAC_BYTES);
      const codes = tempAscii(value, p4, length); // positions below are relative to p4
      if (codes === null || !decodeBase64urlCodesInto(codes, bytes, 0, 0, ends[4]! - p4) || !decodeBase64urlCodesInto(codes, bytes, payloadLength, p5 - p4, length - p4)) {
        throw fail('ERR_COOKIE_TAMPERED', 'payload or mac is not canonical base64url');
      }
      signedEnd = ends[4]!;
    }
    // 5.
    const keyring = this.#keyring;
    const keyId = value.slice(3, ends[1]);
    const key = keyring.get(keyId);
    if (key === undefined) {
      // Ring ids are validated, so a malformed id cannot be in the ring: only a valid one is "unknown".
      if (KEY_ID_PATTERN.test(keyId)) throw fail('ERR_COOKIE_KEY_UNKNOWN', `key "${keyId}" is not in the keyring`);
      throw fail('ERR_COOKIE_TAMPERED', 'key id is not [A-Za-z0-9_-]{1,16}');
    }
    // 7. (on the claimed times, see 5)
    const expiresAt = this.#checkTimes(issuedAt, expires, this.#now());
    // 6.
    let payload: Uint8Array<ArrayBuffer> | null;
    if (this.mode === 'sealed') {
      let aesKey = key.sealingKey(Math.floor(issuedAt / EPOCH_SECONDS));
      if (aesKey instanceof Promise) aesKey = await aesKey;
      payload = await open(aesKey, bytes.subarray(0, IV_BYTES), bytes.subarray(IV_BYTES), boundContext(value, ends[3]!, name));
    } else {
      const split = bytes.length - MAC_BYTES;
      const ok = await verify(key.signingKey, bytes.subarray(split), boundContext(value, signedEnd, name));
      payload = ok ? bytes.subarray(0, split) : null;
    }
    if (payload === null) throw fail('ERR_COOKIE_TAMPERED', 'authentication failed (bit flip, other key material, other cookie name or edited header)');
    // 8.
    const json = utf8Decode(payload);
    let data: T;
    try {
      if (json === null) throw new Error('payload is not UTF-8');
      data = JSON.parse(json) as T;
    } catch (cause) {
      throw new SessionError('ERR_COOKIE_MALFORMED', 'decode', MESSAGES.ERR_COOKIE_MALFORMED, { detail: 'authentic payload is not UTF-8 JSON', cause });
    }
    return { data, issuedAt: issuedAt * 1000, expiresAt, keyId, stale: keyId !== keyring.primaryId };
  }

  /** Step 7; returns expiresAt in ms. Expiry takes no skew: at exactly expiresAt it is over. */
  #checkTimes(issuedAt: number, expires: number, now: number): number {
    if (issuedAt * 1000 > now + this.clockSkew * 1000) {
      throw fail('ERR_COOKIE_NOT_YET_VALID', `issued ${issuedAt * 1000 - now} ms in the future; skew allows ${this.clockSkew * 1000}`);
    }
    // A value may claim a longer life than the codec now allows (maxAge lowered since): the codec wins.
    const expiresAt = Math.min(expires, issuedAt + this.maxAge) * 1000;
    if (now >= expiresAt) throw fail('ERR_COOKIE_EXPIRED', `expired ${now - expiresAt} ms ago`);
    return expiresAt;
  }
}

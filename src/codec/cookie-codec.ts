/**
 * `CookieCodec`: JSON data <-> one authenticated cookie value, sealed or signed, with expiry
 * and key rotation. The wire format is described in ./envelope.ts and docs/cookie-format.md.
 * @module
 */
import { SessionError, type DecodeErrorCode } from '../errors.js';
import { utf8Encode, utf8Decode } from '../bytes/utf8.js';
import { decodeBase64url, decodeBase64urlInto, base64urlDecodedLength, encodeBase64url } from '../bytes/base64url.js';
import { Keyring } from '../keys/keyring.js';
import { KEY_ID_PATTERN } from '../keys/key.js';
import { EPOCH_SECONDS } from '../keys/derive.js';
import { seal, open } from './sealed.js';
import { sign, verify } from './signed.js';
import {
  SEALED_TAG, SIGNED_TAG, IV_BYTES, TAG_BYTES, MAC_BYTES, MAX_COOKIE_BYTES, MAX_AGE_LIMIT,
  formatHeader, parseTime, looksLikeTag, boundContext,
} from './envelope.js';

/** `sealed`: confidential and authenticated (AES-256-GCM). `signed`: readable, authenticated (HMAC-SHA256). */
export type CodecMode = 'sealed' | 'signed';

/** Options for {@link CookieCodec}. */
export interface CookieCodecOptions {
  /** The keys. The primary makes new values; any key opens the values it made. */
  keyring: Keyring;
  /** Default `'sealed'`. A codec opens only values of its own mode. */
  mode?: CodecMode;
  /** Lifetime of a value in seconds, at most 400 days. Default 1 209 600 (14 days). */
  maxAge?: number;
  /** The clock, in milliseconds since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  /** Seconds a value's issued-at may lie in the future (another server's clock). Default 30, at most 300. */
  clockSkew?: number;
}

/** Options for {@link CookieCodec.encode}. */
export interface EncodeOptions {
  /** Lifetime of this value in seconds; at most the codec's `maxAge` (the default). */
  maxAge?: number;
}

/** What {@link CookieCodec.decode} returns. Times are milliseconds, like `now`. */
export interface DecodedValue<T = unknown> {
  data: T;
  /** When the value was made, to the second. */
  issuedAt: number;
  /** When it stops decoding: its own expiry, or issuedAt + the codec's maxAge if sooner. */
  expiresAt: number;
  /** The id of the key that made it. */
  keyId: string;
  /** True when that key is not the primary: re-encode the data to move it to the current key. */
  stale: boolean;
}

// One message per code. Every authentication failure shares ERR_COOKIE_TAMPERED and its
// message (habit 4): a response must not tell an attacker which check failed.
type CodecDecodeCode = Extract<DecodeErrorCode, `ERR_COOKIE_${string}`>;
const MESSAGES: Record<CodecDecodeCode, string> = {
  ERR_COOKIE_TOO_LARGE: 'cookie is larger than 4096 bytes',
  ERR_COOKIE_TAMPERED: 'cookie value could not be authenticated',
  ERR_COOKIE_VERSION: 'cookie value has an unsupported format version or mode',
  ERR_COOKIE_KEY_UNKNOWN: 'cookie value names a key that is not in the keyring',
  ERR_COOKIE_EXPIRED: 'cookie value has expired',
  ERR_COOKIE_NOT_YET_VALID: 'cookie value is not valid yet',
  ERR_COOKIE_MALFORMED: 'cookie value does not hold JSON data',
};

function fail(code: CodecDecodeCode, detail: string): SessionError {
  return new SessionError(code, 'decode', MESSAGES[code], { detail });
}

function usage(code: 'ERR_OPTIONS_INVALID' | 'ERR_DATA_INVALID' | 'ERR_COOKIE_NAME_INVALID' | 'ERR_COOKIE_TOO_LARGE', message: string, cause?: unknown): SessionError {
  return new SessionError(code, 'usage', message, cause === undefined ? {} : { cause });
}

function seconds(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw usage('ERR_OPTIONS_INVALID', `${what} must be an integer number of seconds from ${min} to ${max}`);
  }
  return value;
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw usage('ERR_COOKIE_NAME_INVALID', 'cookie name must be a non-empty string');
}

/** Characters of unpadded base64url for n bytes. */
function b64Chars(n: number): number {
  return Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]!;
}

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
  #keyring: Keyring;
  readonly #now: () => number;
  readonly #tag: string;
  readonly #parts: number;

  constructor(options: CookieCodecOptions) {
    if (typeof options !== 'object' || options === null) throw usage('ERR_OPTIONS_INVALID', 'CookieCodec needs an options object with a keyring');
    this.#keyring = CookieCodec.#checkKeyring(options.keyring);
    const mode = options.mode ?? 'sealed';
    if (mode !== 'sealed' && mode !== 'signed') throw usage('ERR_OPTIONS_INVALID', "mode must be 'sealed' or 'signed'");
    this.mode = mode;
    this.maxAge = seconds(options.maxAge ?? 1_209_600, 'maxAge', 1, MAX_AGE_LIMIT);
    this.clockSkew = seconds(options.clockSkew ?? 30, 'clockSkew', 0, 300);
    if (options.now !== undefined && typeof options.now !== 'function') throw usage('ERR_OPTIONS_INVALID', 'now must be a function returning milliseconds');
    this.#now = options.now ?? Date.now;
    this.#tag = mode === 'sealed' ? SEALED_TAG : SIGNED_TAG;
    this.#parts = mode === 'sealed' ? 7 : 6;
  }

  static #checkKeyring(keyring: unknown): Keyring {
    if (!(keyring instanceof Keyring)) throw usage('ERR_OPTIONS_INVALID', 'keyring must be made by Keyring.create()');
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
  async encode(name: string, data: unknown, options?: EncodeOptions): Promise<string> {
    checkName(name);
    const maxAge = options?.maxAge === undefined ? this.maxAge : seconds(options.maxAge, 'encode maxAge', 1, this.maxAge);
    let json: string | undefined;
    try {
      json = JSON.stringify(data);
    } catch (cause) {
      throw usage('ERR_DATA_INVALID', 'data cannot be serialised as JSON (a cycle or a BigInt?)', cause);
    }
    if (json === undefined) throw usage('ERR_DATA_INVALID', 'data must be a JSON value, not undefined, a function or a symbol');
    const now = this.#now();
    if (!(now >= 0)) throw usage('ERR_OPTIONS_INVALID', 'now() must return milliseconds since the Unix epoch');
    const issuedAt = Math.floor(now / 1000);
    const key = this.#keyring.primary;
    const header = formatHeader(this.#tag, key.id, issuedAt, issuedAt + maxAge);
    const plaintext = utf8Encode(json);
    const body = this.mode === 'sealed'
      ? b64Chars(IV_BYTES) + 1 + b64Chars(plaintext.length) + 1 + b64Chars(TAG_BYTES)
      : b64Chars(plaintext.length) + 1 + b64Chars(MAC_BYTES);
    const size = name.length + header.length + 1 + body;
    if (size > MAX_COOKIE_BYTES) throw usage('ERR_COOKIE_TOO_LARGE', `cookie "${name}" would be ${size} bytes; browsers keep at most ${MAX_COOKIE_BYTES}`);
    if (this.mode === 'signed') {
      const signedPart = `${header}.${encodeBase64url(plaintext)}`;
      return `${signedPart}.${await sign(key.signingKey, boundContext(signedPart, name))}`;
    }
    let aesKey = key.sealingKey(Math.floor(issuedAt / EPOCH_SECONDS));
    if (aesKey instanceof Promise) aesKey = await aesKey;
    return `${header}.${await seal(aesKey, plaintext, boundContext(header, name))}`;
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
    // 1. Size: name + value over 4096 bytes is refused before any other work.
    // 2. Shape: '.'-separated parts; their count, the key id grammar, canonical decimal times.
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
    if (name.length + value.length > MAX_COOKIE_BYTES) throw fail('ERR_COOKIE_TOO_LARGE', `${name.length + value.length} bytes`);
    const parts = value.split('.', 8);
    // 4. (read first, see above)
    const tag = parts[0]!;
    if (tag !== this.#tag) {
      if (looksLikeTag(tag)) throw fail('ERR_COOKIE_VERSION', `tag "${tag}" is not accepted by a ${this.mode} v1 codec`);
      throw fail('ERR_COOKIE_TAMPERED', 'no version tag');
    }
    // 2.
    if (parts.length !== this.#parts) throw fail('ERR_COOKIE_TAMPERED', `expected ${this.#parts} parts, got ${parts.length}`);
    const keyId = parts[1]!;
    const issuedAt = parseTime(parts[2]!);
    const expires = parseTime(parts[3]!);
    if (!KEY_ID_PATTERN.test(keyId)) throw fail('ERR_COOKIE_TAMPERED', 'key id is not [A-Za-z0-9_-]{1,16}');
    if (issuedAt < 0 || expires < 0) throw fail('ERR_COOKIE_TAMPERED', 'times are not canonical decimal seconds');
    const headerLength = tag.length + keyId.length + parts[2]!.length + parts[3]!.length + 3;
    // 3.
    const first = decodeBase64url(parts[4]!);
    let second: Uint8Array<ArrayBuffer> | null;
    if (this.mode === 'sealed') {
      if (first === null || first.length !== IV_BYTES) throw fail('ERR_COOKIE_TAMPERED', `iv is not ${IV_BYTES} bytes of canonical base64url`);
      const ctLength = base64urlDecodedLength(parts[5]!);
      second = ctLength > 0 && base64urlDecodedLength(parts[6]!) === TAG_BYTES ? new Uint8Array(ctLength + TAG_BYTES) : null;
      if (second === null || !decodeBase64urlInto(parts[5]!, second, 0) || !decodeBase64urlInto(parts[6]!, second, ctLength)) {
        throw fail('ERR_COOKIE_TAMPERED', `ciphertext or ${TAG_BYTES}-byte tag is not canonical base64url`);
      }
    } else {
      second = decodeBase64url(parts[5]!);
      if (first === null || first.length === 0) throw fail('ERR_COOKIE_TAMPERED', 'payload is not canonical base64url');
      if (second === null || second.length !== MAC_BYTES) throw fail('ERR_COOKIE_TAMPERED', `mac is not ${MAC_BYTES} bytes of canonical base64url`);
    }
    // 5.
    const keyring = this.#keyring;
    const key = keyring.get(keyId);
    if (key === undefined) throw fail('ERR_COOKIE_KEY_UNKNOWN', `key "${keyId}" is not in the keyring`);
    // 7. (on the claimed times, see 5)
    const expiresAt = this.#checkTimes(issuedAt, expires, this.#now());
    // 6.
    let payload: Uint8Array<ArrayBuffer> | null;
    if (this.mode === 'sealed') {
      let aesKey = key.sealingKey(Math.floor(issuedAt / EPOCH_SECONDS));
      if (aesKey instanceof Promise) aesKey = await aesKey;
      payload = await open(aesKey, first, second, boundContext(value.slice(0, headerLength), name));
    } else {
      const signedPart = value.slice(0, headerLength + 1 + parts[4]!.length);
      payload = (await verify(key.signingKey, second, boundContext(signedPart, name))) ? first : null;
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

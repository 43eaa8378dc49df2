/**
 * The codec's API types and defaults: its options, a call's options, and what a decode returns.
 * @module
 */
import type { Keyring } from '../keys/keyring.js';

/** The default `maxAge`: 14 days, in seconds. */
export const DEFAULT_MAX_AGE = 1_209_600;
/** The default `clockSkew`, in seconds. */
export const DEFAULT_CLOCK_SKEW = 30;
/** The largest `clockSkew` accepted, in seconds: more would stretch the key-epoch window for little gain. */
export const MAX_CLOCK_SKEW = 300;

/**
 * `sealed`: confidential and authenticated (AES-256-GCM). `signed`: readable, authenticated (HMAC-SHA256).
 *
 * @example
 * ```ts
 * const mode: CodecMode = 'sealed';
 * ```
 */
export type CodecMode = 'sealed' | 'signed';

/**
 * Options for {@link CookieCodec}.
 *
 * @example
 * ```ts
 * const options: CookieCodecOptions = { keyring, mode: 'signed', maxAge: 600, clockSkew: 5 };
 * ```
 */
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
  /**
   * Largest name + value in bytes. Default 4096, one cookie. Raise it only for a value that the
   * caller splits over several cookies (the session layer's chunking); at most 50 × 4096.
   */
  maxBytes?: number;
}

/**
 * Options for {@link CookieCodec.encode}.
 *
 * @example
 * ```ts
 * await codec.encode('flash', { notice: 'Saved' }, { maxAge: 60 });
 * ```
 */
export interface EncodeOptions {
  /** Lifetime of this value in seconds; at most the codec's `maxAge` (the default). */
  maxAge?: number;
}

/**
 * What {@link CookieCodec.decode} returns. Times are milliseconds, like `now`.
 *
 * @example
 * ```ts
 * const { data, stale } = await codec.decode<{ userId: string }>('session', value);
 * if (stale) value = await codec.encode('session', data); // move it to the primary key
 * ```
 */
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

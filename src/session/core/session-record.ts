/**
 * What a session is made of, apart from the `Session` object that handlers hold: the record a
 * store persists (its one-letter keys, because the whole record travels in a 4096-byte cookie),
 * the types of its values, and the random ids and tokens in it. Its own file so that the stores,
 * the record-shape checks and the cache can name the record without the `Session` class.
 * @module
 */
import { encodeBase64url } from '../../bytes/base64url.js';

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. Flashes are of this type. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The shape of session values: a plain object whose fields should be optional (a new session is `{}`). */
export type SessionValues = Record<string, unknown>;

/**
 * What a store persists for one session. Keys are one letter because the whole record travels in a
 * cookie of at most 4096 bytes. Milliseconds, so that a per-subject "not valid before" time set
 * just before a `regenerate()` in the same second cannot revoke the regenerated session.
 */
export interface SessionRecord<T extends SessionValues = SessionValues> {
  /** The session id: 128 random bits, base64url. */
  i: string;
  /** Creation time (ms since the epoch). The absolute timeout counts from here; re-saving never changes it. */
  c: number;
  /** The values. */
  v: Partial<T>;
  /** The subject (user id) the session belongs to, if any. */
  s?: string;
  /** Flashes by key. */
  f?: Record<string, JsonValue[]>;
  /** The CSRF synchronizer token, once one was asked for. */
  k?: string;
}

/**
 * Returns `bytes` random bytes as base64url without padding (16 bytes → 22 characters).
 *
 * @example
 * ```ts
 * randomId(); // 'q3V0cNq1xY7Jt8jZ6Pp0Hw'
 * ```
 */
export function randomId(bytes = 16): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * What a session is made of, apart from the `Session` object that handlers hold: the record a
 * store persists (its one-letter keys, because the whole record travels in a 4096-byte cookie),
 * the types of its values, the random ids and tokens in it, the check that a decoded payload is
 * one (authentic bytes may still come from another version) and its JSON. Its own file so that
 * the stores and the cache can name the record without the `Session` class.
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

/** The latest time a `Date` can hold, ms (ECMA-262 §21.4.1.1). */
const MAX_TIME = 8.64e15;

/**
 * The record shape, checked once per decoded value (the bytes are authentic, but may be from
 * another version).
 *
 * @example
 * ```ts
 * isRecord({ i: 'id', c: 1, v: {} }); // true
 * isRecord([1, 2]); // false
 * ```
 */
export function isRecord(data: unknown): data is SessionRecord {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const r = data as Record<string, unknown>;
  return (
    typeof r['i'] === 'string' &&
    // A creation time is milliseconds since the epoch, within what a Date holds (a store's clock
    // may give fractions: performance.timeOrigin + performance.now()); 1e300 or -1 would make every
    // timeout sum wrong.
    typeof r['c'] === 'number' && r['c'] >= 0 && r['c'] <= MAX_TIME &&
    typeof r['v'] === 'object' && r['v'] !== null && !Array.isArray(r['v']) &&
    (r['s'] === undefined || typeof r['s'] === 'string') &&
    (r['f'] === undefined || isFlashes(r['f'])) &&
    (r['k'] === undefined || typeof r['k'] === 'string')
  );
}

/** Flashes: an object of lists (`flashes()` hands a list back; a string there was a 500 in the app). */
function isFlashes(f: unknown): boolean {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return false;
  for (const key in f) if (Object.hasOwn(f, key) && !Array.isArray((f as Record<string, unknown>)[key])) return false;
  return true;
}

/**
 * The record as JSON, around `valuesJson` (= `JSON.stringify(record.v)`, which the store already
 * made to see whether the session changed): the values are not serialized a second time. Parses
 * to the same record as `JSON.stringify(record)` does; `v` comes last.
 *
 * @example
 * ```ts
 * recordJson({ i: 'id', c: 1, v: { n: 1 } }, '{"n":1}'); // '{"i":"id","c":1,"v":{"n":1}}'
 * ```
 */
export function recordJson(record: SessionRecord, valuesJson: string): string {
  let json = `{"i":${JSON.stringify(record.i)},"c":${JSON.stringify(record.c)}`;
  if (record.s !== undefined) json += `,"s":${JSON.stringify(record.s)}`;
  if (record.f !== undefined) json += `,"f":${JSON.stringify(record.f)}`;
  if (record.k !== undefined) json += `,"k":${JSON.stringify(record.k)}`;
  return `${json},"v":${valuesJson}}`;
}

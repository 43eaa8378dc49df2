/**
 * What `CookieStore`'s verified cache remembers about one authenticated cookie value: the record
 * without its values going in (`metaOf`), and how a hit turns it back into a record the request
 * owns (`recordOf`).
 * @module
 */
import type { SessionRecord, SessionValues } from '../core/session-record.js';
import { copyFlat, flatValues, type FlatValues } from '../core/flat-values.js';

// The cache keeps one meta per entry, and so one per write: an empty `v` of its own would be one
// more object for every write to carry out of the young generation (docs/benchmarks.md, "Write
// tail"). Nothing reads a meta's `v`: a hit builds the request's values from the entry.
const NO_VALUES: SessionRecord['v'] = Object.freeze({});

/** What the verified cache remembers about one authenticated cookie value. */
export interface VerifiedEntry {
  /** The full cookie name the value was verified for: a hit needs this name as well as the value. */
  name: string;
  /** The record without its values (shared: its fields are replaced, never mutated, except `f`). */
  meta: SessionRecord;
  /** The values as `JSON.stringify` wrote them: each request parses its own copy (and that string is its dirty snapshot). */
  values: string;
  /** When it was written (s): the idle timeout slides from here. */
  issuedAt: number;
  /** Envelope expiry (s). */
  expiresAt: number;
  keyId: string;
  /**
   * `values` parsed: flat values, `null` when they are not flat, `undefined` until known (a value
   * just written brings its own, Session.flatSnapshot; else it is parsed on the first hit).
   */
  flat: FlatValues | null | undefined;
}

/**
 * The record without its values, for the verified cache (flashes deep-copied: the cache's copy is
 * never handed out; `v` is one shared, frozen empty object).
 *
 * @example
 * ```ts
 * metaOf({ i: 'id', c: 1, v: { big: 1 }, s: 'u1' }); // { i: 'id', c: 1, v: {}, s: 'u1' }
 * ```
 */
export function metaOf(record: SessionRecord): SessionRecord {
  const meta: SessionRecord = { i: record.i, c: record.c, v: NO_VALUES };
  if (record.s !== undefined) meta.s = record.s;
  if (record.k !== undefined) meta.k = record.k;
  if (record.f !== undefined) meta.f = JSON.parse(JSON.stringify(record.f)) as SessionRecord['f'] & {};
  return meta;
}

/**
 * A fresh record from a cache entry, for one request to own, and the flat snapshot it was copied
 * from (when the values are flat). Flat values are copied by a spread of their parsed snapshot,
 * others by parsing their JSON (the copy a request needs anyway), the few flashes (rare) likewise;
 * the other fields are strings and numbers, copied one by one (an object spread of the entry
 * measured slower).
 *
 * @example
 * ```ts
 * const { record, flat } = recordOf(entry); // record.v is this request's own object
 * ```
 */
export function recordOf<T extends SessionValues>(entry: VerifiedEntry): { record: SessionRecord<T>; flat: FlatValues | undefined } {
  if (entry.flat === undefined) entry.flat = flatValues(JSON.parse(entry.values), entry.values) ?? null;
  const flat = entry.flat ?? undefined;
  const meta = entry.meta;
  const record: SessionRecord<T> = { i: meta.i, c: meta.c, v: (flat === undefined ? JSON.parse(entry.values) : copyFlat(flat)) as Partial<T> };
  if (meta.s !== undefined) record.s = meta.s;
  if (meta.k !== undefined) record.k = meta.k;
  if (meta.f !== undefined) record.f = JSON.parse(JSON.stringify(meta.f)) as SessionRecord['f'] & {};
  return { record, flat };
}

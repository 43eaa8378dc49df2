/**
 * Helpers about the shape of a {@link SessionRecord} as it travels in a cookie: a check for
 * payloads that are authentic but not records (written by another version or another codec user),
 * the value-less copy the verified cache keeps, and the record's JSON built around the values'.
 * @module
 */
import type { SessionRecord } from './session-record.js';

// The cache keeps one meta per entry, and so one per write: an empty `v` of its own would be one
// more object for every write to carry out of the young generation (docs/benchmarks.md, "Write
// tail"). Nothing reads a meta's `v`: a hit builds the request's values from the entry.
const NO_VALUES: SessionRecord['v'] = Object.freeze({});

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
    typeof r['c'] === 'number' &&
    typeof r['v'] === 'object' && r['v'] !== null && !Array.isArray(r['v']) &&
    (r['s'] === undefined || typeof r['s'] === 'string') &&
    (r['f'] === undefined || (typeof r['f'] === 'object' && r['f'] !== null)) &&
    (r['k'] === undefined || typeof r['k'] === 'string')
  );
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

/**
 * Two helpers about the shape of a {@link SessionRecord} as it travels in a cookie: a check for
 * payloads that are authentic but not records (written by another version or another codec user),
 * and the value-less copy the verified cache keeps.
 * @module
 */
import type { SessionRecord } from './session.js';

/**
 * The record without its values, for the verified cache (flashes deep-copied: the cache's copy is
 * never handed out).
 *
 * @example
 * ```ts
 * metaOf({ i: 'id', c: 1, v: { big: 1 }, s: 'u1' }); // { i: 'id', c: 1, v: {}, s: 'u1' }
 * ```
 */
export function metaOf(record: SessionRecord): SessionRecord {
  const meta: SessionRecord = { i: record.i, c: record.c, v: {} };
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

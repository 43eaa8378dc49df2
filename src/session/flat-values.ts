/**
 * Flat session values: values whose every field is a string, number, boolean or null, which is
 * what most sessions hold (a user id, a name, a role, a counter).
 *
 * For those, a verified-cache hit needs no `JSON.parse` and the dirty check no `JSON.stringify`:
 * a shallow copy is already a deep copy, and equal keys in equal order with `===` values
 * serialize to the same JSON. Measured on Node 20 for a 7-field, 150-byte session: parse 1.45 µs
 * + stringify and compare 1.75 µs per request, against a spread copy (0.05 µs) and a key-by-key
 * comparison (0.3 µs). Anything else (a nested object, a value replaced by a class instance, an
 * unequal field) falls back to comparing JSON, so `changed` answers exactly as before.
 * @module
 */

/** A JSON primitive, as `JSON.parse` returns it (numbers are finite). */
type FlatValue = string | number | boolean | null;

/** A parsed snapshot of flat values and its keys in `Object.keys` order. Shared between requests: never mutated. */
export interface FlatValues {
  readonly keys: readonly string[];
  readonly values: Readonly<Record<string, FlatValue>>;
  /** The values in `keys` order, for the comparison. */
  readonly list: readonly FlatValue[];
}

/**
 * `parsed` (the result of `JSON.parse`) as a {@link FlatValues}, or `undefined` when it is not a
 * plain object of primitives.
 *
 * @example
 * ```ts
 * flatValues(JSON.parse('{"name":"Ada","n":1}')); // { keys: ['name', 'n'], values: { name: 'Ada', n: 1 }, list: ['Ada', 1] }
 * flatValues(JSON.parse('{"cart":[]}'));          // undefined
 * ```
 */
export function flatValues(parsed: unknown): FlatValues | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const values = parsed as Record<string, unknown>;
  const keys = Object.keys(values);
  const list: FlatValue[] = [];
  for (const key of keys) {
    const value = values[key];
    const type = typeof value;
    if (value !== null && type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
    list.push(value as FlatValue);
  }
  return { keys, values: values as Record<string, FlatValue>, list };
}

/** A fresh copy of the values, for one request to own. */
export function copyFlat(flat: FlatValues): Record<string, FlatValue> {
  return { ...flat.values };
}

/**
 * True when `JSON.stringify(current)` is certainly `JSON.stringify(flat.values)`: a plain object
 * (no `toJSON` anywhere on it) with the same keys in the same order and `===` values. False means
 * "maybe not": the caller then compares JSON.
 */
export function sameFlat(current: unknown, flat: FlatValues): boolean {
  if (typeof current !== 'object' || current === null || Object.getPrototypeOf(current) !== Object.prototype || 'toJSON' in current) return false;
  // for-in, not Object.keys: V8 walks the object's enum cache without allocating an array
  // (measured 0.36 -> 0.11 µs for 7 fields, Node 20). It also yields enumerable inherited keys,
  // which only Object.prototype could hold here: one would make this answer false, never true.
  const expected = flat.keys;
  const list = flat.list;
  const values = current as Record<string, unknown>;
  let i = 0;
  for (const key in values) {
    if (key !== expected[i] || values[key] !== list[i]) return false;
    i++;
  }
  return i === expected.length;
}

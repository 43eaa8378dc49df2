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
  /** Each member as JSON (`"key":value`), in `keys` order: an unchanged member is not serialized again. */
  readonly members: readonly string[];
}

/**
 * `parsed` (the result of `JSON.parse`) as a {@link FlatValues}, or `undefined` when it is not a
 * plain object of primitives. `json`, when given, is the `JSON.stringify` text `parsed` came from:
 * the member texts are then cut from it rather than serialized again.
 *
 * @example
 * ```ts
 * flatValues(JSON.parse('{"name":"Ada","n":1}')); // { keys: ['name', 'n'], values: {...}, list: ['Ada', 1], members: ['"name":"Ada"', '"n":1'] }
 * flatValues(JSON.parse('{"cart":[]}'));          // undefined
 * ```
 */
export function flatValues(parsed: unknown, json?: string): FlatValues | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const values = parsed as Record<string, unknown>;
  const keys = Object.keys(values);
  const list: FlatValue[] = new Array<FlatValue>(keys.length); // exact size: see flatBuild
  for (let i = 0; i < keys.length; i++) {
    const value = values[keys[i] as string];
    const type = typeof value;
    if (value !== null && type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
    list[i] = value as FlatValue;
  }
  const members = (json === undefined ? undefined : membersOf(json, keys)) ?? keys.map((key, i) => `${JSON.stringify(key)}:${JSON.stringify(list[i])}`);
  return { keys, values: values as Record<string, FlatValue>, list, members };
}

/**
 * The member texts of `json`, the `JSON.stringify` output of the flat object whose parsed keys are
 * `keys`; `undefined` when the text does not cut into one member per key. Serializing each member
 * again cost 3.3 µs for the 7-field benchmark session (5.0 µs with the parse, against 1.8 µs
 * without members, Node 20), paid on the first hit of every cookie value this process did not
 * write; this cut, with native `indexOf` for the quotes and commas, 0.67 µs. Canonical JSON makes the two
 * equal: JSON.stringify of a parsed key, string or number gives back its text. Where the text has
 * an escape, each key's text is checked against its parsed key: Node 24.21's JSON.parse can misread
 * an escaped key (after JSON.parse('{"":0,"\\\\":0}'), JSON.parse('{"":0,"\\"":0}') gives the
 * backslash key again), and the snapshot must then follow what the parse gave, as it did before.
 */
function membersOf(json: string, keys: readonly string[]): string[] | undefined {
  const members = new Array<string>(keys.length); // exact size, filled below: see flatBuild
  let count = 0;
  const escapes = json.indexOf('\\') !== -1; // the usual session text has none
  const last = json.length - 1; // the closing brace
  let at = 1;
  while (at < last) {
    if (json.charCodeAt(at) !== QUOTE) return undefined;
    const keyEnd = stringEnd(json, at);
    if (keyEnd === -1) return undefined;
    if (count === keys.length) return undefined; // more members than keys
    if (escapes && json.slice(at, keyEnd + 1) !== JSON.stringify(keys[count])) return undefined;
    const value = keyEnd + 2; // past '":'
    let end: number;
    if (json.charCodeAt(value) === QUOTE) {
      const close = stringEnd(json, value);
      if (close === -1) return undefined;
      end = close + 1;
    } else {
      end = json.indexOf(',', value); // a number, true, false or null holds no comma
      if (end === -1) end = last;
    }
    members[count++] = json.slice(at, end);
    at = end + 1;
  }
  return count === keys.length ? members : undefined;
}

const QUOTE = 0x22;

/** The index of the quote closing the JSON string that opens at `open`, or -1. */
function stringEnd(json: string, open: number): number {
  for (let close = json.indexOf('"', open + 1); close !== -1; close = json.indexOf('"', close + 1)) {
    let before = close - 1;
    while (json.charCodeAt(before) === 0x5c) before--; // backslashes: an odd run escapes this quote
    if ((close - 1 - before) % 2 === 0) return close;
  }
  return -1;
}

/** A fresh copy of the values, for one request to own. */
export function copyFlat(flat: FlatValues): Record<string, FlatValue> {
  return { ...flat.values };
}

/**
 * True when `JSON.stringify(current)` is certainly the snapshot's JSON: a plain object (no
 * `toJSON` anywhere on it) with the same own keys in the same order and `===` values. False means
 * "maybe not": the caller then builds the JSON ({@link flatBuild}) and compares it.
 *
 * @example
 * ```ts
 * const flat = flatValues(JSON.parse('{"a":"x","n":1}'))!;
 * sameFlat({ a: 'x', n: 1 }, flat); // true
 * sameFlat({ a: 'x', n: 2 }, flat); // false
 * ```
 */
export function sameFlat(current: unknown, flat: FlatValues): boolean {
  if (!plainObject(current)) return false;
  // for-in, not Object.keys: V8 walks the object's enum cache without allocating an array
  // (measured 0.36 -> 0.11 µs for 7 fields, Node 20). It also yields enumerable inherited keys,
  // which only Object.prototype could hold here, and always after every own key (the for-in
  // order of ES2020): so when the last key seen is an own one, all were.
  const keys = flat.keys;
  const list = flat.list;
  let i = 0;
  let last = '';
  for (const key in current) {
    if (key !== keys[i] || current[key] !== list[i]) return false;
    last = key;
    i++;
  }
  return i === keys.length && (i === 0 || Object.hasOwn(current, last));
}

/** The values' JSON built member by member, and the snapshot the next request parses from it. */
export interface FlatBuild {
  /** Exactly `JSON.stringify(current)`. */
  readonly json: string;
  /** `flatValues(JSON.parse(json))`; `undefined` when JSON would change a value (NaN, ±Infinity, -0). */
  readonly next: FlatValues | undefined;
}

/**
 * The JSON of flat values that changed, from the snapshot's member texts wherever a member is
 * unchanged, with the snapshot of what it encodes (keys, values, members), so the request that
 * next presents the cookie parses nothing; `undefined` when `current` is not flat (a nested value,
 * a class instance, a `toJSON`, an `undefined` field...): the caller then calls `JSON.stringify`.
 * Node 20's `JSON.stringify` took 1.4 µs in process for the 7-field benchmark session, and in a
 * session written on every request each request is the first hit of a new cache entry, where
 * parsing the values and serializing each member for the snapshot was ~14% of the main thread's
 * CPU per write (profile). A write that changes one counter serializes that member only.
 *
 * @example
 * ```ts
 * const flat = flatValues(JSON.parse('{"a":"x","n":1}'))!;
 * flatBuild({ a: 'x', n: 2 }, flat)?.json; // '{"a":"x","n":2}'
 * flatBuild({ a: ['x'] }, flat);           // undefined
 * ```
 */
export function flatBuild(current: unknown, flat: FlatValues): FlatBuild | undefined {
  if (!plainObject(current)) return undefined;
  // What this returns is kept by the verified cache until the entry is evicted, for every write:
  // long enough to outlive the young generation, so each byte of it is copied by a scavenge and
  // promoted (docs/benchmarks.md, "Write tail"). So the arrays are made at their exact size (an
  // array grown by push keeps room for 17, 152 bytes of elements for 7 fields), and the keys are
  // the snapshot's own array while they are the same keys in the same order.
  const size = flat.keys.length;
  let keys: string[] | undefined; // undefined: the same as flat.keys so far
  const list = new Array<FlatValue>(size);
  const members = new Array<string>(size);
  let exact = true;
  let i = 0;
  let last = '';
  for (const key in current) {
    last = key;
    const value = current[key];
    if (key === flat.keys[i] && value === flat.list[i] && !Object.is(value, -0)) members[i] = flat.members[i] as string;
    else {
      const text = primitiveJson(value);
      if (text === undefined) return undefined;
      members[i] = `${JSON.stringify(key)}:${text}`;
      if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) exact = false;
    }
    if (keys === undefined && key !== flat.keys[i]) keys = flat.keys.slice(0, i);
    keys?.push(key);
    list[i] = value as FlatValue;
    i++;
  }
  if (i > 0 && !Object.hasOwn(current, last)) return undefined; // an inherited key (see sameFlat)
  if (i < size) {
    // Fewer keys than the snapshot: drop the unfilled tail (and the shared keys no longer fit).
    list.length = i;
    members.length = i;
    keys ??= flat.keys.slice(0, i);
  }
  const json = `{${members.join(',')}}`;
  if (!exact) return { json, next: undefined };
  const nextKeys = keys ?? flat.keys;
  // The copy is made from the values read above, not by a spread: a spread would read a getter
  // again and copy symbol keys, neither of which JSON.parse would give the next request.
  const values: Record<string, FlatValue> = {};
  for (let j = 0; j < i; j++) {
    const key = nextKeys[j] as string;
    if (key === '__proto__') Object.defineProperty(values, key, { value: list[j], enumerable: true, writable: true, configurable: true });
    else values[key] = list[j] as FlatValue;
  }
  return { json, next: { keys: nextKeys, values, list, members } };
}

/** A plain object with no `toJSON` (own or inherited): JSON.stringify writes its own keys and nothing else. */
function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !('toJSON' in value);
}

/** JSON of a string, finite or not number, boolean or null; `undefined` for anything else. */
function primitiveJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'; // as JSON.stringify: NaN and ±Infinity are null, -0 is 0
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

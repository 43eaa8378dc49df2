/**
 * Which session value `JSON.stringify` would accept but change: a `Date` comes back as a string,
 * a `Map` or a `Set` as `{}`, `NaN` as `null`, a function is dropped. Serializing does not throw
 * for any of them, so without this check the session is written and the next request silently
 * reads a different value. Run before a write only (never on a read, where the loaded values came
 * from JSON and cannot hold one), on what `JSON.stringify` already accepted (so no cycle).
 *
 * Also here, as the `ERR_DATA_INVALID` a write throws: the values' JSON, refused when JSON cannot
 * hold them at all (`serializeValues`), and the check above run on it (`checkValuesSafe`). They
 * were private methods of `Session`; they need only the session's name and values, and what JSON
 * may hold is this file's question, not the session's.
 * @module
 */
import { SessionError } from '../../errors.js';


/**
 * What is wrong with the first value in `values` that would not come back from JSON as it went in,
 * as a phrase for an error message ("is a Date, which JSON stores as a string"), with the top-level
 * key it sits under; `undefined` when every value survives the round trip. A field set to
 * `undefined` is allowed: JSON drops it, and reading the field then gives `undefined` again.
 *
 * @example
 * ```ts
 * jsonProblem({ n: 1, tags: ['a'] }); // undefined
 * jsonProblem({ at: new Date() });    // { key: 'at', problem: 'is a Date, which JSON stores as a string ...' }
 * ```
 */
export function jsonProblem(values: Record<string, unknown>): { key: string; problem: string } | undefined {
  for (const key of Object.keys(values)) {
    const problem = valueProblem(values[key], false);
    if (problem !== undefined) return { key, problem };
  }
  return undefined;
}

/**
 * {@link jsonProblem} for one value (a flash): what JSON would change in it, or `undefined`.
 *
 * @example
 * ```ts
 * jsonValueProblem('Saved.');       // undefined
 * jsonValueProblem([Number.NaN]);   // 'holds NaN, which JSON stores as null'
 * ```
 */
export function jsonValueProblem(value: unknown): string | undefined {
  return value === undefined ? 'is undefined, which JSON cannot hold' : valueProblem(value, false);
}

/**
 * `JSON.stringify(values)` for session `name`. Throws `ERR_DATA_INVALID` when JSON cannot hold
 * them at all (a BigInt, a cycle) or they are not an object.
 *
 * @example
 * ```ts
 * serializeValues('session', { n: 1 });  // '{"n":1}'
 * serializeValues('session', [1]);       // throws: values must be a plain object (got an array)
 * ```
 */
export function serializeValues(name: string, values: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(values) as string | undefined;
  } catch (cause) {
    throw new SessionError('ERR_DATA_INVALID', 'usage', `Session "${name}" holds a value JSON cannot represent (a BigInt or a cycle).`, { cause });
  }
  if (typeof json !== 'string' || json.charCodeAt(0) !== 0x7b) {
    // The kind of value only, never its text: it may hold a secret, and this message is logged.
    const kind = values === null ? 'null' : Array.isArray(values) ? 'an array' : typeof values;
    throw new SessionError('ERR_DATA_INVALID', 'usage', `Session "${name}": values must be a plain object (got ${kind}).`);
  }
  return json;
}

/**
 * Throws `ERR_DATA_INVALID` when session `name`'s values, which {@link serializeValues} accepted,
 * are not a plain object or hold a value JSON would change ({@link jsonProblem}).
 *
 * @example
 * ```ts
 * checkValuesSafe('session', { n: 1 });           // fine
 * checkValuesSafe('session', { at: new Date() }); // throws: values["at"] is a Date, ...
 * ```
 */
export function checkValuesSafe(name: string, values: object): void {
  const proto: unknown = Object.getPrototypeOf(values);
  if (proto !== Object.prototype && proto !== null) {
    // A Map or a class instance as `values` serializes as an object, so serializeValues() let it through.
    throw new SessionError('ERR_DATA_INVALID', 'usage', `Session "${name}": values must be a plain object (got ${values instanceof Map ? 'a Map' : 'an instance of a class'}).`);
  }
  const found = jsonProblem(values as Record<string, unknown>);
  if (found !== undefined) {
    throw new SessionError('ERR_DATA_INVALID', 'usage', `Session "${name}": values[${JSON.stringify(found.key)}] ${found.problem}.`);
  }
}

function valueProblem(value: unknown, inArray: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `holds ${String(value)}, which JSON stores as null`;
    case 'undefined':
      return inArray ? 'holds undefined in an array, which JSON stores as null' : undefined;
    case 'function':
    case 'symbol':
      return `holds a ${typeof value}, which JSON drops`;
    case 'bigint':
      return 'holds a BigInt, which JSON cannot represent'; // JSON.stringify throws first; kept for completeness
    case 'object':
      return objectProblem(value);
    default:
      return undefined;
  }
}

function objectProblem(value: object | null): string | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = valueProblem(item, true);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return `holds ${kindOf(value)}`;
  for (const key of Object.keys(value)) {
    const problem = valueProblem((value as Record<string, unknown>)[key], false);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The kind of a non-plain object and what JSON would make of it; never its contents (they may be secret). */
function kindOf(value: object): string {
  if (value instanceof Date) return 'a Date, which JSON stores as a string: store date.getTime() or date.toISOString()';
  if (value instanceof Map) return 'a Map, which JSON stores as {}: store Object.fromEntries(map) or [...map]';
  if (value instanceof Set) return 'a Set, which JSON stores as {}: store [...set]';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const shown = typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'a class';
  return `an instance of ${shown}, which JSON stores as a plain object (or a string, with toJSON): store plain data`;
}

/**
 * Which session value `JSON.stringify` would accept but change: a `Date` comes back as a string,
 * a `Map` or a `Set` as `{}`, `NaN` as `null`, a function is dropped. Serializing does not throw
 * for any of them, so without this check the session is written and the next request silently
 * reads a different value. Run before a write only (never on a read, where the loaded values came
 * from JSON and cannot hold one), on what `JSON.stringify` already accepted (so no cycle).
 * @module
 */

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

/**
 * How a route answers methods, shared by both routers: the handler a method resolves to, and the
 * exact `Allow` list of a 405.
 * @module
 */
import { ALL, STANDARD_METHODS, type RouterOptions } from './types.js';
import { checkOptionKeys, type OptionKeys } from '../../errors.js';

const OPTION_KEYS: OptionKeys<RouterOptions> = { maxParamLength: true };

/**
 * The registered method whose handler a route gives `method`, by priority: its own; for HEAD,
 * GET's (so HEAD sends the same headers as GET); then ALL's, for the standard methods only. A
 * request whose method is literally 'ALL' matches nothing.
 */
export function resolveMethod(handlers: ReadonlyMap<string, unknown>, method: string): string | undefined {
  if (method === ALL) return undefined;
  if (handlers.has(method)) return method;
  if (method === 'HEAD' && handlers.has('GET')) return 'GET';
  return STANDARD_METHODS.includes(method) && handlers.has(ALL) ? ALL : undefined;
}

/** The handler a route gives `method` (see {@link resolveMethod}). */
export function resolveHandler<H>(handlers: ReadonlyMap<string, H>, method: string): H | undefined {
  const registered = resolveMethod(handlers, method);
  return registered === undefined ? undefined : handlers.get(registered);
}

/** The sorted `Allow` list for registered method names: ALL expanded, HEAD with GET, OPTIONS always. */
export function allowList(registered: Iterable<string>): string[] {
  const allow = new Set<string>(['OPTIONS']);
  for (const m of registered) {
    if (m === ALL) for (const s of STANDARD_METHODS) allow.add(s);
    else allow.add(m);
  }
  if (allow.has('GET')) allow.add('HEAD');
  return [...allow].sort();
}

/** Reads `maxParamLength` (default 500) from options, throwing a TypeError on a bad value. */
export function readMaxParamLength(options: RouterOptions): number {
  checkOptionKeys('Router', options, OPTION_KEYS);
  const max = options.maxParamLength ?? 500;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new TypeError(`maxParamLength must be a positive integer, got ${String(max)}`);
  }
  return max;
}

/**
 * The obviously correct router: a list of compiled patterns, each tried against every request.
 * It is the test oracle for the radix tree, so it favours plain code over speed: every route is
 * matched with a regular expression, the best match is chosen by comparing rank vectors, and the
 * Allow list is built from scratch. Use `Router` in production.
 * @module
 */
import type { LookupResult, Params, RouterLike, RouterOptions } from './types.js';
import { checkMethod, decodeParam, parsePattern } from './pattern.js';
import type { Segment } from './pattern.js';
import { allowList, readMaxParamLength, resolveMethod } from './methods.js';

interface LinearRoute<H> {
  /** The pattern with its param names left out: routes of one shape share an entry. */
  shape: string;
  regex: RegExp;
  /**
   * Two numbers per segment, compared in dictionary order: the kind (static 0, param 1,
   * wildcard 2), then minus the length of a param's static prefix, so that `/v:version` beats
   * `/:page` and `/v1:x` beats `/v:version`: the longer the text that must match, the better.
   */
  ranks: number[];
  handlers: Map<string, H>;
  /** Per registered method, the pattern as written and its param names in capture order ('*' for the wildcard). */
  written: Map<string, { pattern: string; names: string[] }>;
}

const NOT_FOUND = { kind: 'not-found' } as const;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(segments: Segment[]): RegExp {
  const body = segments
    .map((s) => (s.type === 'static' ? escapeRegExp(s.text) : s.type === 'param' ? `${escapeRegExp(s.prefix)}([^/]+)` : '([\\s\\S]*)'))
    .join('/');
  return new RegExp(`^/${body}$`);
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/**
 * A router that tries every route in turn. Same behaviour as `Router`, slower; the test oracle.
 * Each route names its own params.
 * @example
 * const router = new LinearRouter<string>().add('GET', '/users/:id', 'user');
 * router.lookup('GET', '/users/42'); // { kind: 'found', handler: 'user', params: { id: '42' }, route: '/users/:id' }
 */
export class LinearRouter<H> implements RouterLike<H> {
  readonly #routes: LinearRoute<H>[] = [];
  readonly #maxParamLength: number;

  constructor(options: RouterOptions = {}) {
    this.#maxParamLength = readMaxParamLength(options);
  }

  add(method: string, path: string, handler: H): this {
    checkMethod(method);
    const segments = parsePattern(path);
    const shape = JSON.stringify(segments.map((s) => (s.type === 'param' ? [s.prefix] : s.type === 'static' ? s.text : 0)));
    const written = {
      pattern: path,
      names: segments.flatMap((s) => (s.type === 'param' ? [s.name] : s.type === 'wildcard' ? ['*'] : [])),
    };
    const same = this.#routes.find((r) => r.shape === shape);
    if (same !== undefined) {
      const before = same.written.get(method);
      if (before !== undefined) {
        const as = before.pattern === path ? '' : ` (as ${JSON.stringify(before.pattern)}: param names aside, the same route)`;
        throw new TypeError(`Route ${method} ${JSON.stringify(path)} is already registered${as}`);
      }
      same.handlers.set(method, handler);
      same.written.set(method, written);
      return this;
    }
    this.#routes.push({
      shape,
      regex: compile(segments),
      ranks: segments.flatMap((s) => (s.type === 'static' ? [0, 0] : s.type === 'param' ? [1, -s.prefix.length] : [2, 0])),
      handlers: new Map([[method, handler]]),
      written: new Map([[method, written]]),
    });
    return this;
  }

  find(method: string, path: string): { handler: H; params: Params } | null {
    const result = this.lookup(method, path);
    return result.kind === 'found' ? { handler: result.handler, params: result.params } : null;
  }

  lookup(method: string, path: string): LookupResult<H> {
    if (typeof path !== 'string' || path.charCodeAt(0) !== 47 /* / */) return NOT_FOUND;
    let best: { route: LinearRoute<H>; registered: string; match: RegExpExecArray } | undefined;
    const refused = new Set<string>();
    for (const route of this.#routes) {
      const match = route.regex.exec(path);
      if (match === null) continue;
      const registered = resolveMethod(route.handlers, method);
      if (registered === undefined) {
        for (const m of route.handlers.keys()) refused.add(m);
      } else if (best === undefined || compareRanks(route.ranks, best.route.ranks) < 0) {
        best = { route, registered, match };
      }
    }
    if (best === undefined) {
      return refused.size === 0 ? NOT_FOUND : { kind: 'method-not-allowed', allow: allowList(refused) };
    }
    const { pattern, names } = best.route.written.get(best.registered)!;
    const params: Params = Object.create(null) as Params;
    for (let i = 0; i < names.length; i++) {
      const raw = best.match[i + 1]!;
      if (raw.length > this.#maxParamLength) return { kind: 'bad-request', reason: 'param-too-long' };
      const value = decodeParam(raw);
      if (value === null) return { kind: 'bad-request', reason: 'bad-escape' };
      params[names[i]!] = value;
    }
    return { kind: 'found', handler: best.route.handlers.get(best.registered)!, params, route: pattern };
  }

  prettyPrint(): string {
    return this.#routes
      .flatMap((r) => [...r.written].sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, w]) => `${w.pattern} (${m})`))
      .join('\n');
  }
}

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
import { allowList, readMaxParamLength, resolveHandler } from './methods.js';

interface LinearRoute<H> {
  pattern: string;
  segments: Segment[];
  regex: RegExp;
  /** Param names in capture order; the wildcard is named '*'. */
  names: string[];
  /** Per segment: static 0, param 1, wildcard 2. */
  ranks: number[];
  handlers: Map<string, H>;
}

const NOT_FOUND = { kind: 'not-found' } as const;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(segments: Segment[]): RegExp {
  const body = segments
    .map((s) => (s.type === 'static' ? escapeRegExp(s.text) : s.type === 'param' ? '([^/]+)' : '([\\s\\S]*)'))
    .join('/');
  return new RegExp(`^/${body}$`);
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/** Throws when two patterns reach the same position by the same way and name its param apart. */
function checkParamNames(path: string, a: LinearRoute<unknown>, b: Segment[]): void {
  for (let i = 0; i < Math.min(a.segments.length, b.length); i++) {
    const x = a.segments[i]!;
    const y = b[i]!;
    if (x.type === 'param' && y.type === 'param') {
      if (x.name !== y.name) {
        throw new TypeError(
          `Route ${JSON.stringify(path)} names the param at segment ${i + 1} ':${y.name}', but ${JSON.stringify(a.pattern)} already names it ':${x.name}'`,
        );
      }
    } else if (!(x.type === 'static' && y.type === 'static' && x.text === y.text)) {
      return;
    }
  }
}

/**
 * A router that tries every route in turn. Same behaviour as `Router`, slower; the test oracle.
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
    for (const route of this.#routes) checkParamNames(path, route, segments);
    const same = this.#routes.find((r) => r.pattern === path);
    if (same !== undefined) {
      if (same.handlers.has(method)) throw new TypeError(`Route ${method} ${JSON.stringify(path)} is already registered`);
      same.handlers.set(method, handler);
      return this;
    }
    this.#routes.push({
      pattern: path,
      segments,
      regex: compile(segments),
      names: segments.flatMap((s) => (s.type === 'param' ? [s.name] : s.type === 'wildcard' ? ['*'] : [])),
      ranks: segments.map((s) => (s.type === 'static' ? 0 : s.type === 'param' ? 1 : 2)),
      handlers: new Map([[method, handler]]),
    });
    return this;
  }

  find(method: string, path: string): { handler: H; params: Params } | null {
    const result = this.lookup(method, path);
    return result.kind === 'found' ? { handler: result.handler, params: result.params } : null;
  }

  lookup(method: string, path: string): LookupResult<H> {
    if (typeof path !== 'string' || path.charCodeAt(0) !== 47 /* / */) return NOT_FOUND;
    let best: { route: LinearRoute<H>; handler: H; match: RegExpExecArray } | undefined;
    const refused = new Set<string>();
    for (const route of this.#routes) {
      const match = route.regex.exec(path);
      if (match === null) continue;
      const handler = resolveHandler(route.handlers, method);
      if (handler === undefined) {
        for (const m of route.handlers.keys()) refused.add(m);
      } else if (best === undefined || compareRanks(route.ranks, best.route.ranks) < 0) {
        best = { route, handler, match };
      }
    }
    if (best === undefined) {
      return refused.size === 0 ? NOT_FOUND : { kind: 'method-not-allowed', allow: allowList(refused) };
    }
    const params: Params = Object.create(null) as Params;
    for (let i = 0; i < best.route.names.length; i++) {
      const raw = best.match[i + 1]!;
      if (raw.length > this.#maxParamLength) return { kind: 'bad-request', reason: 'param-too-long' };
      const value = decodeParam(raw);
      if (value === null) return { kind: 'bad-request', reason: 'bad-escape' };
      params[best.route.names[i]!] = value;
    }
    return { kind: 'found', handler: best.handler, params, route: best.route.pattern };
  }

  prettyPrint(): string {
    return this.#routes
      .map((r) => `${r.pattern} (${[...r.handlers.keys()].sort().join(', ')})`)
      .join('\n');
  }
}

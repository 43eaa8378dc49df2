/**
 * The radix tree's building blocks: a node, a route, and insertion. Lookup lives in radix.ts.
 *
 * A node stands for a position in a path. Its static children hang off edges labelled with text
 * (compressed: one edge per run of shared characters, '/' included); its param child matches one
 * non-empty rest of a segment; its wildcard matches the rest of the path. Wildcards only hang off
 * nodes whose text ends in '/', i.e. at the start of a segment; a param may also hang off a node
 * in the middle of one (`/v:version`), and always runs to the segment's end.
 * @module
 */
import type { Params } from './types.js';
import { resolveMethod, allowList } from './methods.js';
import { STANDARD_METHODS, ALL } from './types.js';

/** The shape a successful lookup returns. */
export interface Found<H> {
  kind: 'found';
  handler: H;
  params: Params;
  route: string;
}

/** Shared by every static result: read-only, so no request can leak a param into another. */
export const EMPTY_PARAMS: Params = Object.freeze(Object.create(null) as Params);

/**
 * Method → handler of one route. The standard methods sit in fields and the rest in a Map: a
 * lookup is a `switch` and a field read, which measured 8 ns against 21 ns for `Map.get` on
 * Node 20, paid once per route tried.
 */
export class MethodTable<H> {
  DELETE: H | undefined = undefined;
  GET: H | undefined = undefined;
  HEAD: H | undefined = undefined;
  OPTIONS: H | undefined = undefined;
  PATCH: H | undefined = undefined;
  POST: H | undefined = undefined;
  PUT: H | undefined = undefined;
  readonly other = new Map<string, H>();

  get(method: string): H | undefined {
    switch (method) {
      case 'GET': return this.GET;
      case 'POST': return this.POST;
      case 'HEAD': return this.HEAD;
      case 'PUT': return this.PUT;
      case 'PATCH': return this.PATCH;
      case 'DELETE': return this.DELETE;
      case 'OPTIONS': return this.OPTIONS;
      default: return this.other.get(method);
    }
  }

  set(method: string, handler: H): void {
    switch (method) {
      case 'GET': this.GET = handler; break;
      case 'POST': this.POST = handler; break;
      case 'HEAD': this.HEAD = handler; break;
      case 'PUT': this.PUT = handler; break;
      case 'PATCH': this.PATCH = handler; break;
      case 'DELETE': this.DELETE = handler; break;
      case 'OPTIONS': this.OPTIONS = handler; break;
      default: this.other.set(method, handler);
    }
  }
}

/**
 * What one `add` registered: the handler, and the pattern and param names it was written with.
 * Routes that reach the same tree position may name their params differently (`GET /t/:id`,
 * `POST /t/:other`), so the names live here, per method, and not in the tree.
 */
export interface Endpoint<H> {
  readonly handler: H;
  readonly pattern: string;
  /** Param names in path order; a wildcard is '*'. */
  readonly names: readonly string[];
}

/** One position in the tree where routes end, with their endpoints per method. */
export class Route<H> {
  readonly handlers = new Map<string, H>();
  readonly endpoints = new Map<string, Endpoint<H>>();
  /** Method → endpoint with HEAD→GET and ALL already applied: one read per lookup. */
  resolved = new MethodTable<Endpoint<H>>();
  /** Frozen results for param-free routes, one per method, so static hits allocate nothing. */
  results = new MethodTable<Found<H>>();

  add(method: string, endpoint: Endpoint<H>): void {
    this.handlers.set(method, endpoint.handler);
    this.endpoints.set(method, endpoint);
    const candidates = new Set([...this.handlers.keys(), 'HEAD', ...STANDARD_METHODS]);
    candidates.delete(ALL);
    this.resolved = new MethodTable<Endpoint<H>>();
    this.results = new MethodTable<Found<H>>();
    for (const m of candidates) {
      const registered = resolveMethod(this.handlers, m);
      if (registered === undefined) continue;
      const e = this.endpoints.get(registered)!;
      this.resolved.set(m, e);
      if (e.names.length === 0) {
        this.results.set(m, Object.freeze({ kind: 'found', handler: e.handler, params: EMPTY_PARAMS, route: e.pattern }));
      }
    }
  }

  /** The methods to print and to put in Allow. */
  allow(): string[] {
    return allowList(this.handlers.keys());
  }
}

/**
 * A tree node. Every field is set in the constructor, in one order, so all nodes share one
 * hidden class and the lookup's property reads stay monomorphic.
 */
export class Node<H> {
  /** Edge text from the parent ('' for the root and for param nodes). */
  part: string;
  /** `part.charCodeAt(0)`, compared before the full text; -1 when part is empty. */
  first: number;
  statics: Node<H>[] = [];
  /**
   * The static child by the ASCII code its edge starts with (128 slots, filled with undefined so
   * the array stays packed). One indexed read instead of a scan of `statics`: the root of a real
   * table has a dozen children. Patterns are ASCII (pattern.ts), so 128 slots cover every edge.
   */
  byCode: (Node<H> | undefined)[] = new Array<Node<H> | undefined>(128).fill(undefined);
  param: Node<H> | null = null;
  /** The names routes give the param child, for printing only: each route keeps its own. */
  paramNames: string[] = [];
  wildcard: Route<H> | null = null;
  route: Route<H> | null = null;

  constructor(part: string) {
    this.part = part;
    this.first = part.length === 0 ? -1 : part.charCodeAt(0);
  }

  /** The static child whose edge starts with `code`, if any. */
  child(code: number): Node<H> | undefined {
    for (const c of this.statics) if (c.first === code) return c;
    return undefined;
  }

  /** Descends along `text`, splitting and creating edges as needed; returns the node at its end. */
  insertStatic(text: string): Node<H> {
    let node: Node<H> = this;
    let rest = text;
    while (rest.length > 0) {
      const child = node.child(rest.charCodeAt(0));
      if (child === undefined) {
        const leaf = new Node<H>(rest);
        node.addStatic(leaf);
        return leaf;
      }
      let common = 1;
      while (common < child.part.length && common < rest.length && child.part[common] === rest[common]) common++;
      if (common < child.part.length) child.split(common);
      node = child;
      rest = rest.slice(common);
    }
    return node;
  }

  private addStatic(child: Node<H>): void {
    this.statics.push(child);
    this.byCode[child.first] = child;
  }

  /** Cuts this node's edge after `at` characters; the tail moves into a new only child. */
  private split(at: number): void {
    const tail = new Node<H>(this.part.slice(at));
    tail.statics = this.statics;
    tail.byCode = this.byCode;
    tail.param = this.param;
    tail.paramNames = this.paramNames;
    tail.wildcard = this.wildcard;
    tail.route = this.route;
    this.part = this.part.slice(0, at);
    this.statics = [];
    this.byCode = new Array<Node<H> | undefined>(128).fill(undefined);
    this.addStatic(tail);
    this.param = null;
    this.paramNames = [];
    this.wildcard = null;
    this.route = null;
  }

  /** Follows `text` along existing edges without changing anything; undefined where it leaves the tree. */
  walkStatic(text: string): Node<H> | undefined {
    let node: Node<H> = this;
    let rest = text;
    while (rest.length > 0) {
      const child = node.child(rest.charCodeAt(0));
      if (child === undefined || !rest.startsWith(child.part)) return undefined;
      node = child;
      rest = rest.slice(child.part.length);
    }
    return node;
  }
}

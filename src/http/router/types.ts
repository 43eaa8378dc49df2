/**
 * The contract both routers implement: the radix tree (fast) and the linear list (obviously
 * correct, the test oracle). One conformance suite runs against both.
 *
 * Semantics every implementation must share:
 * - Paths are matched raw, segment by segment on '/', before any percent-decoding, so an encoded
 *   `%2F` inside a param stays inside that param. Static segments compare byte for byte.
 * - Per segment, static beats `prefix:param` beats `:param` beats the trailing `*`, and a longer
 *   prefix beats a shorter one. With backtracking this means the chosen route is the one whose
 *   per-segment ranks (static 0, param 1, wildcard 2; then minus the prefix length) are
 *   lexicographically smallest among the routes that match the path and accept the method.
 * - Param names belong to the route: `GET /t/:id` and `POST /t/:other` each see their own.
 * - A route accepts a method when it was added for it, for 'ALL', or (for HEAD) for GET.
 * - No route matches the path: `not-found`. Routes match the path but none accepts the method:
 *   `method-not-allowed`, with `allow` the sorted union of their methods, plus HEAD where GET is
 *   allowed, plus OPTIONS (answered automatically by the app).
 * - Param values are percent-decoded after matching; a malformed escape gives `bad-request`
 *   (`bad-escape`), a raw value longer than `maxParamLength` gives `bad-request` (`param-too-long`).
 *   Lookups never throw.
 * - `add` throws a TypeError on conflicts (same method and path twice, param names aside), on a
 *   bad pattern, and on TRACE / CONNECT, which are never routed.
 * @module
 */

/** Route parameters: a null-prototype object, so `__proto__` is just a name. */
export type Params = Record<string, string>;

/** The method name that registers a route for every method. */
export const ALL = 'ALL';

/** The methods an `ALL` route answers, and what its `Allow` lists. */
export const STANDARD_METHODS: readonly string[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** The outcome of a lookup: exactly one of four cases. */
export type LookupResult<H> =
  | { kind: 'found'; handler: H; params: Params; route: string }
  | { kind: 'method-not-allowed'; allow: readonly string[] }
  | { kind: 'not-found' }
  | { kind: 'bad-request'; reason: 'bad-escape' | 'param-too-long' };

/** Options shared by the routers. */
export interface RouterOptions {
  /** Longest raw param (or wildcard) value accepted, in characters. Default 500. */
  maxParamLength?: number;
}

/** What a router offers; `Router` (radix) and `LinearRouter` both implement it. */
export interface RouterLike<H> {
  /** Registers `handler` for `method` (or 'ALL') at `path`. Throws a TypeError on conflict or a bad pattern. */
  add(method: string, path: string, handler: H): this;
  /** The handler and params for a request, or null for any other outcome. Never throws. */
  find(method: string, path: string): { handler: H; params: Params } | null;
  /** The full outcome of a request, for the app to turn into 200/404/405/400. Never throws. */
  lookup(method: string, path: string): LookupResult<H>;
  /** A readable dump of the routes (the tree, for the radix router). */
  prettyPrint(): string;
}

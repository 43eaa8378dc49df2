/**
 * Route patterns and methods, parsed and validated once, at registration. Both routers share this
 * file so that they accept and reject exactly the same tables; everything after parsing (matching,
 * ranking, conflicts) is implemented twice, independently, and compared by the random test.
 *
 * Grammar (segments separated by '/'):
 *   pattern  = "/" [ segment *( "/" segment ) ] [ "/" ]   ; a trailing '/' is part of the route
 *   segment  = static / [ static ] ":" name / "*"        ; '*' only as the last segment
 *   name     = ALPHA / "_" *( ALPHA / DIGIT / "_" )     ; runs to the end of the segment
 *   static   = 1*( RFC 3986 pchar except '*' ), '%' only as %HH, ':' written '::', not '.' or '..'
 * Static text is matched raw against the request path, so it is written the way it travels.
 *
 * A param may follow static text in its segment (`/v:version`, `/prefix-:id`), as in find-my-way
 * and hono, but always ends its segment: text after it (`/:id.json`, `/:lat-:lng`) would need the
 * router to guess where the param stops, so it is refused. A literal colon is written '::'
 * (find-my-way's escape), so `/a:b` can never mean a static segment by accident.
 * @module
 */

/** One parsed segment of a pattern. A param's `prefix` is the static text before it in its segment. */
export type Segment =
  | { type: 'static'; text: string }
  | { type: 'param'; name: string; prefix: string }
  | { type: 'wildcard' };

// RFC 3986 §3.3 pchar (unreserved / pct-encoded / sub-delims / ':' / '@') without '*', which
// would read like a glob. Anything else never arrives unencoded from a conforming client.
const STATIC = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;
// A param name, at the start of what follows a ':'; anything after it in the segment is refused.
const NAME_PREFIX = /^[A-Za-z_][A-Za-z0-9_]*/;
// RFC 9110 §9: methods are case-sensitive tokens; we insist on the conventional upper case so a
// route added as 'get' cannot silently answer nothing.
const METHOD = /^[A-Z][A-Z-]*$/;

function fail(path: string, why: string): never {
  throw new TypeError(`Invalid route pattern ${JSON.stringify(path)}: ${why}`);
}

/** The index of the first ':' that starts a param (not half of a '::' escape), or -1. */
function findParam(part: string): number {
  for (let i = 0; i < part.length; i++) {
    if (part.charCodeAt(i) !== 58 /* : */) continue;
    if (part.charCodeAt(i + 1) === 58) i++;
    else return i;
  }
  return -1;
}

function unescapeColons(text: string): string {
  return text.indexOf('::') === -1 ? text : text.replaceAll('::', ':');
}

/**
 * Parses a route pattern into segments, or throws a TypeError naming the problem.
 * The root pattern '/' is one empty static segment, as is the last segment of '/a/'.
 * `/v:version` is a param `version` with prefix 'v'; `/a::b` is the static segment 'a:b'.
 */
export function parsePattern(path: string): Segment[] {
  if (typeof path !== 'string' || path.charCodeAt(0) !== 47 /* / */) fail(String(path), "it must start with '/'");
  const parts = path.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part === '') {
      if (!last) fail(path, 'empty segment (//)');
      segments.push({ type: 'static', text: '' });
    } else if (part === '*') {
      if (!last) fail(path, "'*' must be the last segment");
      segments.push({ type: 'wildcard' });
    } else {
      const colon = findParam(part);
      const text = unescapeColons(colon === -1 ? part : part.slice(0, colon));
      if (colon === -1 && (text === '.' || text === '..')) fail(path, `dot segment ${JSON.stringify(part)}`);
      if (text !== '' && !STATIC.test(text)) {
        fail(path, `bad static segment ${JSON.stringify(part)} ('*' only as a whole last segment; no '?', '#', spaces or non-ASCII: percent-encode them as %HH)`);
      }
      if (colon === -1) {
        segments.push({ type: 'static', text });
        continue;
      }
      const name = part.slice(colon + 1);
      const head = NAME_PREFIX.exec(name)?.[0];
      if (head === undefined) fail(path, `bad param name ${JSON.stringify(name)} (letters, digits, _; write a literal ':' as '::')`);
      if (head !== name) {
        fail(path, `static text ${JSON.stringify(name.slice(head.length))} after the param ':${head}': a param runs to the end of its segment; put the text in its own segment, or check it in the handler`);
      }
      if (names.has(name)) fail(path, `param name ${JSON.stringify(name)} used twice`);
      names.add(name);
      segments.push({ type: 'param', name, prefix: text });
    }
  }
  return segments;
}

/** Throws a TypeError unless `method` is routable (an upper-case token, not TRACE or CONNECT). */
export function checkMethod(method: string): void {
  if (typeof method !== 'string' || !METHOD.test(method)) {
    throw new TypeError(`Invalid method ${JSON.stringify(method)}: use an upper-case token such as 'GET', or 'ALL'`);
  }
  // TRACE echoes requests (cross-site tracing); CONNECT opens tunnels. Neither belongs to an app.
  if (method === 'TRACE' || method === 'CONNECT') throw new TypeError(`${method} is never routed`);
}

/**
 * Percent-decodes a raw param value, or returns null when an escape is malformed or the bytes
 * are not UTF-8. Values without '%' are returned as they are, without a copy.
 */
export function decodeParam(raw: string): string | null {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Checking the `Host` header before routing (RFC 9112 §3.2): a server must answer 400 to a
 * request with more than one `Host` field line, or with a `Host` whose value is not
 * `uri-host [ ":" port ]` (RFC 3986 §3.2.2, §3.2.3).
 *
 * Why it matters here: node keeps the first of two `Host` lines and drops the other, while a proxy
 * in front may have routed on the second. Two readers that disagree on the host is the opening of
 * host-confusion and cache-poisoning attacks, and `csrf()` compares `Origin` against this header
 * when a browser sends no `Sec-Fetch-Site`. A missing `Host` on HTTP/1.1 is node's to refuse
 * (`requireHostHeader`, on by default); HTTP/1.0 may leave it out.
 * @module
 */

// uri-host = IP-literal / IPv4address / reg-name, then an optional port. IPv4 addresses are also
// reg-names, so two branches cover all three: a bracketed IPv6 or IPvFuture literal, or a run of
// unreserved, sub-delims and percent signs (reg-name's pct-encoded is not decoded, only allowed).
// reg-name may be empty: a client sends an empty Host when the target URI has no authority.
const HOST = /^(?:\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;

/**
 * True when the request's `Host` may be served: at most one `Host` line, and a valid value if any.
 * `host` is node's `req.headers.host`; `rawHeaders` its `req.rawHeaders` (name, value, name, …).
 * Costs a regular-expression test and one pass over the header names, whose length is compared
 * before any lower-casing (about 40 ns a request, docs/http.md).
 *
 * @example
 * ```ts
 * hostIsValid('example.com:8080', ['Host', 'example.com:8080']);      // true
 * hostIsValid('a', ['Host', 'a', 'Host', 'b']);                      // false: two Host lines
 * hostIsValid('[::1', ['Host', '[::1']);                             // false: not a uri-host
 * ```
 */
export function hostIsValid(host: string | undefined, rawHeaders: readonly string[]): boolean {
  if (host === undefined) return true;
  if (!HOST.test(host)) return false;
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host' && ++seen > 1) return false;
  }
  return true;
}

/**
 * What a request's head must be before it is routed, beyond what node's parser checks: HTTP/1.x,
 * a sound `Host` (host-header.ts), and no transfer coding but `chunked`.
 *
 * - **Version** (RFC 9110 §6.2, RFC 9112 §2.3): node's parser also takes `HTTP/2.0` in an HTTP/1
 *   request line, and a bare `GET /path` (HTTP/0.9), and serves both as HTTP/1.1. Neither is a
 *   request this server speaks: 505 HTTP Version Not Supported. (A real HTTP/2 request, from
 *   node:http2's compatibility API, passes.)
 * - **Host** (RFC 9112 §3.2): missing on HTTP/1.1, two lines, or a malformed value: 400. The
 *   missing case was node's to refuse (`requireHostHeader`); refused here, it gets the same short
 *   answer and access-log line as the other two (node answered with a chunked body and no log).
 * - **Transfer-Encoding** (RFC 9112 §6.1): node decodes `chunked` only, and took `gzip, chunked`
 *   as if the gzip were not there, handing the handler bytes that were never decompressed. A
 *   coding a server does not understand gets 501 Not Implemented.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { hostIsValid } from './host-header.js';

/**
 * 0 when the request's head may be routed; else the status to refuse it with (400, 501 or 505).
 * A few property reads on every request; the Host check costs about 40 ns (docs/http.md).
 *
 * @example
 * ```ts
 * const refused = refusedHead(req);
 * if (refused !== 0) return writeBare(res, refused, STATUS_CODES[refused] ?? '', req.method ?? 'GET');
 * ```
 */
export function refusedHead(req: IncomingMessage): 0 | 400 | 501 | 505 {
  if (req.httpVersionMajor !== 1) {
    // `app.handler` on node:http2's compatibility API: its framing is HTTP/2's own, checked by
    // nghttp2, and its host is `:authority`. Only the HTTP/1 parser's versions are judged here.
    return req.httpVersionMajor === 2 && (req as { stream?: unknown }).stream !== undefined ? 0 : 505;
  }
  const host = req.headers.host;
  if (host === undefined ? req.httpVersionMinor !== 0 : !hostIsValid(host, req.rawHeaders)) return 400;
  const coding = req.headers['transfer-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') return 501;
  return 0;
}
